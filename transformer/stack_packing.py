"""Where each resolver and AppSync function of an API goes when the API is split into nested stacks.

The split follows Amplify's layout: one nested stack per model holding its table, the table's role and
data source, and the resolvers whose functions read that table; the API stack holds the API, its
schema and the NONE data source. Two kinds of stack exist beside them: shared-function stacks for
NONE-data-source functions that resolvers in several stacks run, and connection stacks for resolvers
that read more than one model's table.

Functions are shared as Amplify shares them: one AppSync function per identical (request template,
response template, data source), referenced by every pipeline that runs it. The pipeline's init slot
(a NONE function that only stashes values) becomes the resolver's own before-template, as in Amplify,
so that the functions after it no longer differ by the field they serve.

A model stack that would pass `RESOURCE_BUDGET` resources or `BYTE_BUDGET` bytes continues in a
further stack (`<Model>Part2`, ...); the budgets leave room under CloudFormation's limits
(`transformer.stack_limits`) for the estimate's error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from transformer.emit_vtl.layout import (
    BEFORE_TEMPLATE,
    Pipeline,
    PipelineFunction,
    PipelineKind,
    Slot,
    table_data_source,
)
from transformer.emit_vtl.slots import pass_through_response

RESOURCE_BUDGET = 400
"""Resources per nested stack before it continues in another (CloudFormation allows 500)."""
BYTE_BUDGET = 700_000
"""Estimated template bytes per nested stack before it continues in another (CloudFormation takes 1 MB from S3)."""
SHARED_FUNCTION_BUDGET = 150
"""Functions per shared-function stack: each is an Output (CloudFormation allows 200 per template)."""
JSON_GROWTH = 1.25
"""How much larger a template's text gets as a JSON string (escaped quotes and newlines), at most, in practice."""
RESOURCE_BYTES = 700
"""Estimated bytes of one resource's JSON besides its inline templates."""

SHARED = "SharedFunctions"
CONNECTIONS = "ConnectionStack"


class FunctionKey(NamedTuple):
    """What makes two pipeline functions the same AppSync function."""

    request: str
    response: str
    data_source: str


@dataclass
class ResolverPlan:
    """One pipeline as deployed: its before-template and the functions it runs, in order."""

    pipeline: Pipeline
    before: str
    functions: tuple[FunctionKey, ...]

    @property
    def has_resolver(self) -> bool:
        return self.pipeline.kind is not PipelineKind.AUTH_ONLY


@dataclass
class StackPlan:
    """One nested stack: the model whose table it owns (if any), its resolvers and the functions defined in it."""

    name: str
    table_model: str | None = None
    home: str = ""
    """The model (or `SHARED`, `CONNECTIONS`) the stack was opened for; parts share their first stack's home."""
    resolvers: list[ResolverPlan] = field(default_factory=list)
    functions: list[FunctionKey] = field(default_factory=list)


@dataclass
class FunctionPlan:
    """A shared function: the stack that defines it, and the file stem of the first pipeline slot it serves."""

    key: FunctionKey
    stem: str
    stack: str = ""


@dataclass
class Packing:
    stacks: dict[str, StackPlan]
    functions: dict[FunctionKey, FunctionPlan]
    table_stacks: dict[str, str]
    """Data-source name -> the stack that defines that table's data source."""
    table_models: dict[str, str]
    """Data-source name -> its model."""


def split_init(pipeline: Pipeline) -> tuple[str, tuple[PipelineFunction, ...]]:
    """The resolver's before-template and its functions: a leading NONE init slot that only stashes moves into before."""
    functions = pipeline.functions
    if pipeline.kind is PipelineKind.AUTH_ONLY or len(functions) < 2:
        return BEFORE_TEMPLATE, functions
    first = functions[0]
    if first.slot is Slot.INIT and not first.uses_table and first.response == pass_through_response():
        return first.request, functions[1:]
    return BEFORE_TEMPLATE, functions


def _key(function: PipelineFunction) -> FunctionKey:
    return FunctionKey(function.request, function.response, function.data_source)


def _home(pipeline: Pipeline, functions: tuple[PipelineFunction, ...], table_models: dict[str, str]) -> str:
    tables = {table_models[f.data_source] for f in functions if f.data_source in table_models}
    if len(tables) == 1:
        return tables.pop()
    if len(tables) > 1:
        return CONNECTIONS
    return pipeline.model if pipeline.model is not None else SHARED


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    taken.add(candidate)
    return candidate


def template_bytes(key: FunctionKey) -> int:
    """Estimated bytes of a function's resource, templates inline."""
    return RESOURCE_BYTES + int((len(key.request) + len(key.response)) * JSON_GROWTH)


def _cost(resolver: ResolverPlan, new_functions: list[FunctionKey]) -> tuple[int, int]:
    """Resources and estimated bytes a resolver adds to a stack that does not yet define `new_functions`."""
    resources = len(new_functions) + (1 if resolver.has_resolver else 0)
    size = sum(template_bytes(key) for key in new_functions)
    if resolver.has_resolver:
        size += RESOURCE_BYTES + int(len(resolver.before) * JSON_GROWTH)
    return resources, size


class _Chunker:
    """Fills stacks named after a home (`Item0`, `Item0Part2`, ...) up to the budgets."""

    def __init__(self, stacks: dict[str, StackPlan], taken: set[str]) -> None:
        self.stacks = stacks
        self.taken = taken
        self.current: dict[str, tuple[StackPlan, set[FunctionKey], list[int]]] = {}
        self.parts: dict[str, int] = {}

    def open(self, home: str, table_model: str | None = None) -> StackPlan:
        part = self.parts.get(home, 0) + 1
        self.parts[home] = part
        name = _unique(home if part == 1 else f"{home}Part{part}", self.taken)
        plan = StackPlan(name=name, table_model=table_model, home=home)
        self.stacks[name] = plan
        cost = [3, 3 * RESOURCE_BYTES] if table_model is not None else [0, 0]
        self.current[home] = (plan, set(), cost)
        return plan

    def add(self, home: str, resolver: ResolverPlan) -> StackPlan:
        if home not in self.current:
            self.open(home)
        plan, seen, cost = self.current[home]
        new = [k for k in dict.fromkeys(resolver.functions) if k not in seen]
        resources, size = _cost(resolver, new)
        if plan.resolvers and (cost[0] + resources > RESOURCE_BUDGET or cost[1] + size > BYTE_BUDGET):
            self.open(home)
            plan, seen, cost = self.current[home]
            new = list(dict.fromkeys(resolver.functions))
            resources, size = _cost(resolver, new)
        seen.update(new)
        cost[0] += resources
        cost[1] += size
        plan.resolvers.append(resolver)
        return plan


def consumers_first(packing: Packing) -> list[str]:
    """The stacks in an order where a stack comes before every stack whose outputs it reads.

    Parts and connection stacks read table stacks' outputs, table stacks read shared-function stacks'
    outputs; nothing reads a part or a connection stack.
    """
    def rank(plan: StackPlan) -> int:
        if plan.home == SHARED:
            return 2
        return 1 if plan.table_model is not None else 0

    return sorted(packing.stacks, key=lambda name: rank(packing.stacks[name]))


def pack(pipelines: list[Pipeline], models: list[str]) -> Packing:
    """Assign every pipeline to a stack, then every distinct function to the one stack that defines it.

    A function runs in the stack of the resolvers that use it when they are all in one stack. One used
    from several stacks is defined once: in a shared-function stack when it needs no table, else in the
    stack that holds its table's data source; the other stacks receive its id as a Parameter.
    """
    stacks: dict[str, StackPlan] = {}
    taken: set[str] = set()
    chunker = _Chunker(stacks, taken)
    table_models = {table_data_source(model): model for model in models}
    table_stacks: dict[str, str] = {}
    for model in models:
        table_stacks[table_data_source(model)] = chunker.open(model, table_model=model).name
    functions: dict[FunctionKey, FunctionPlan] = {}
    users: dict[FunctionKey, set[str]] = {}
    for pipeline in pipelines:
        before, slots = split_init(pipeline)
        keys = tuple(_key(f) for f in slots)
        for function, key in zip(slots, keys, strict=True):
            if key not in functions:
                functions[key] = FunctionPlan(key=key, stem=pipeline.file_stem(function))
        stack = chunker.add(_home(pipeline, slots, table_models), ResolverPlan(pipeline, before, keys))
        for key in keys:
            users.setdefault(key, set()).add(stack.name)
    shared: list[FunctionKey] = []
    for key, placed in functions.items():
        homes = users[key]
        if len(homes) == 1:
            placed.stack = next(iter(homes))
        elif key.data_source not in table_stacks:
            shared.append(key)
        else:
            placed.stack = table_stacks[key.data_source]
    count, size, shared_stack = 0, 0, None
    for key in shared:
        if shared_stack is None or count >= SHARED_FUNCTION_BUDGET or size + template_bytes(key) > BYTE_BUDGET:
            shared_stack, count, size = chunker.open(SHARED), 0, 0
        functions[key].stack = shared_stack.name
        count, size = count + 1, size + template_bytes(key)
    for key, placed in functions.items():
        stacks[placed.stack].functions.append(key)
    return Packing(stacks=stacks, functions=functions, table_stacks=table_stacks, table_models=table_models)


__all__ = [
    "BYTE_BUDGET",
    "CONNECTIONS",
    "RESOURCE_BUDGET",
    "SHARED",
    "FunctionKey",
    "FunctionPlan",
    "Packing",
    "ResolverPlan",
    "StackPlan",
    "consumers_first",
    "pack",
    "split_init",
]
