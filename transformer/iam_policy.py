"""Evaluate IAM identity policies the way IAM does, for one role's inline and attached policies.

No maintained Python library evaluates IAM policies (parliament and policyuniverse lint and expand,
policy_sentry writes policies), so the evaluation is ours: an explicit Deny wins, then any Allow,
else the implicit deny. Wildcards `*` and `?` match actions case-insensitively and resources
segment by segment; NotAction/NotResource match everything the list does not; policy variables
(`${aws:username}`, `${cognito-identity.amazonaws.com:sub}`, Amplify's `${env}`) and the common
condition operators are resolved from a request context.

Where the context cannot decide (an unknown condition operator, a variable it does not define) we
fail closed: such an Allow grants nothing and such a Deny is taken to apply, and the decision says so.
Linting (unknown actions, malformed ARNs) uses parliament, which carries AWS's action catalogue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from transformer.diagnostics import Diagnostic, warning
from transformer.precedence import CustomPolicy, GroupFile, PolicyDocument, PolicyStatement

ContextValue = str | Sequence[str]
RequestContext = Mapping[str, ContextValue]
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}
_LITERAL = {"*": "\ue000", "?": "\ue001"}
"""Stand-ins for `*` and `?` that came from variables (`${*}`, context values): literal, not wildcards."""
_FROM_LITERAL = {stand_in: char for char, stand_in in _LITERAL.items()}


class NamedPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    document: PolicyDocument


class StatementRef(BaseModel):
    """Which statement decided: policy name, position and Sid."""

    model_config = ConfigDict(frozen=True)

    policy: str
    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]

    @property
    def label(self) -> str:
        return f"{self.policy}/{self.sid}" if self.sid else f"{self.policy}/Statement[{self.index}]"


Outcome = Literal["explicit-deny", "allow", "implicit-deny"]


class PolicyDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: str
    resource: str
    allowed: bool
    outcome: Outcome
    decided_by: StatementRef | None
    """The first matching Deny for an explicit deny, the first matching Allow for an allow."""
    matching_allows: list[StatementRef]
    notes: list[str]

    @property
    def reason(self) -> str:
        if self.outcome == "explicit-deny" and self.decided_by:
            return f"explicitly denied by {self.decided_by.label}"
        if self.outcome == "allow" and self.decided_by:
            return f"allowed by {self.decided_by.label}"
        return "no statement allows it (implicit deny)"


def evaluate(
    policies: Sequence[PolicyDocument | CustomPolicy | NamedPolicy],
    action: str,
    resource: str,
    context: RequestContext | None = None,
) -> PolicyDecision:
    """IAM's decision for one request against all of a principal's identity policies."""
    context = context or {}
    denies: list[StatementRef] = []
    allows: list[StatementRef] = []
    notes: list[str] = []
    for policy in _named(policies):
        for index, statement in enumerate(policy.document.statements()):
            ref = StatementRef(policy=policy.name, index=index, sid=statement.Sid, effect=statement.Effect)
            fail_closed_match = statement.Effect == "Deny"
            applies, why_unsure = _statement_applies(statement, action, resource, context, fail_closed_match)
            if why_unsure:
                notes.append(f"{ref.label}: {why_unsure}")
            if applies:
                (denies if statement.Effect == "Deny" else allows).append(ref)
    if denies:
        return PolicyDecision(
            action=action,
            resource=resource,
            allowed=False,
            outcome="explicit-deny",
            decided_by=denies[0],
            matching_allows=allows,
            notes=notes,
        )
    if allows:
        return PolicyDecision(
            action=action,
            resource=resource,
            allowed=True,
            outcome="allow",
            decided_by=allows[0],
            matching_allows=allows,
            notes=notes,
        )
    return PolicyDecision(
        action=action,
        resource=resource,
        allowed=False,
        outcome="implicit-deny",
        decided_by=None,
        matching_allows=[],
        notes=notes,
    )


def _named(policies: Sequence[PolicyDocument | CustomPolicy | NamedPolicy]) -> list[NamedPolicy]:
    named: list[NamedPolicy] = []
    for position, policy in enumerate(policies):
        if isinstance(policy, NamedPolicy):
            named.append(policy)
        elif isinstance(policy, CustomPolicy):
            named.append(NamedPolicy(name=policy.PolicyName, document=policy.PolicyDocument))
        else:
            named.append(NamedPolicy(name=f"policy[{position}]", document=policy))
    return named


def _statement_applies(
    statement: PolicyStatement, action: str, resource: str, context: RequestContext, fail_closed_match: bool
) -> tuple[bool, str | None]:
    """Whether the statement matches; the second value explains an undecidable part, if any."""
    in_actions = any(action_matches(pattern, action) for pattern in statement.actions())
    if in_actions == (statement.NotAction is not None):
        return False, None

    unsure: str | None = None
    resource_hits: list[bool] = []
    for pattern in statement.resources():
        resolved = substitute_variables(pattern, context, as_pattern=True)
        if resolved is None:
            unsure = f'resource "{pattern}" uses a variable the request context does not define'
            if statement.NotResource is not None:
                resource_hits.append(not fail_closed_match)
            else:
                resource_hits.append(fail_closed_match and resource_matches(_VARIABLE.sub("*", pattern), resource))
        else:
            resource_hits.append(resource_matches(resolved, resource))
    if any(resource_hits) == (statement.NotResource is not None):
        return False, unsure

    holds, why = conditions_hold(statement.Condition or {}, context)
    if holds is None:
        return fail_closed_match, why
    return holds, unsure


def action_matches(pattern: str, action: str) -> bool:
    return _glob(pattern, case_sensitive=False).fullmatch(action) is not None


def resource_matches(pattern: str, resource: str) -> bool:
    """ARN matching: `*` alone matches all; otherwise each of the first five segments matches on its own."""
    if pattern == "*":
        return True
    pattern_parts = pattern.split(":", 5)
    resource_parts = resource.split(":", 5)
    if len(pattern_parts) != len(resource_parts):
        return False
    return all(
        _glob(p, case_sensitive=True).fullmatch(r) is not None
        for p, r in zip(pattern_parts, resource_parts, strict=True)
    )


@lru_cache(maxsize=4096)
def _glob(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(_FROM_LITERAL.get(ch, ch)) for ch in pattern)
    return re.compile(regex, 0 if case_sensitive else re.IGNORECASE | re.DOTALL)


def substitute_variables(text: str, context: RequestContext, *, as_pattern: bool = False) -> str | None:
    """Replace `${key}` with the context's single value; None when a key is missing or multi-valued.

    With `as_pattern`, substituted `*` and `?` stay literal when the result is matched as a wildcard pattern.
    """
    missing = False

    def literal(value: str) -> str:
        return "".join(_LITERAL.get(ch, ch) for ch in value) if as_pattern else value

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        key = match.group(1)
        if key in _SPECIAL_VARIABLES:
            return literal(_SPECIAL_VARIABLES[key])
        value = _lookup(context, key)
        if isinstance(value, str):
            return literal(value)
        missing = True
        return ""

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def _lookup(context: RequestContext, key: str) -> ContextValue | None:
    if key in context:
        return context[key]
    lowered = key.lower()  # condition keys are case-insensitive
    return next((value for name, value in context.items() if name.lower() == lowered), None)


def _plain(pattern: str) -> str:
    return "".join(_FROM_LITERAL.get(ch, ch) for ch in pattern)


_STRING_TESTS = {
    "StringEquals": lambda expected, actual: actual == _plain(expected),
    "StringEqualsIgnoreCase": lambda expected, actual: actual.lower() == _plain(expected).lower(),
    "StringLike": lambda expected, actual: _glob(expected, case_sensitive=True).fullmatch(actual) is not None,
    "ArnEquals": lambda expected, actual: actual == _plain(expected),
    "ArnLike": lambda expected, actual: resource_matches(expected, actual),
    "Bool": lambda expected, actual: actual.lower() == _plain(expected).lower(),
}
_NEGATIONS = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def conditions_hold(
    condition: Mapping[str, Mapping[str, object]], context: RequestContext
) -> tuple[bool | None, str | None]:
    """All condition blocks must hold; None (with a reason) when one cannot be decided here."""
    for operator, tests in condition.items():
        for key, expected in tests.items():
            result = _condition_holds(operator, key, expected, context)
            if result is None:
                return None, f'condition {operator} on "{key}" cannot be evaluated here'
            if not result:
                return False, None
    return True, None


def _condition_holds(operator: str, key: str, expected: object, context: RequestContext) -> bool | None:
    set_prefix, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base != "Null" and _NEGATIONS.get(base, base) not in _STRING_TESTS:
        return None
    actual = _lookup(context, key)
    expected_values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_values(expected)]

    if base == "Null":
        wants_absent = expected_values[0].lower() == "true" if expected_values else True
        return (actual is None) == wants_absent
    if actual is None:
        if if_exists:
            return True
        return base in _NEGATIONS or set_prefix == "ForAllValues"

    negated = base in _NEGATIONS
    test = _STRING_TESTS[_NEGATIONS.get(base, base)]
    resolved_expected = [substitute_variables(value, context, as_pattern=True) for value in expected_values]
    if any(value is None for value in resolved_expected):
        return None
    values = [actual] if isinstance(actual, str) else list(actual)

    def matches(value: str) -> bool:
        return any(test(e, value) for e in resolved_expected if e is not None)

    if set_prefix == "ForAllValues":
        outcome = all(matches(value) for value in values)
    else:
        outcome = any(matches(value) for value in values)
    return not outcome if negated else outcome


def _as_values(expected: object) -> list[object]:
    return list(expected) if isinstance(expected, list) else [expected]


def lint_policy_document(document: PolicyDocument) -> list[str]:
    """Problems parliament finds (unknown actions, resources that no listed action accepts, ...)."""
    from parliament import analyze_policy_string  # imported late: it loads AWS's action catalogue

    text = json.dumps(document.to_json())
    policy = analyze_policy_string(_VARIABLE.sub("placeholder", text))
    findings: list[str] = []
    for finding in policy.findings:
        detail = finding.detail if isinstance(finding.detail, str) else json.dumps(finding.detail, default=str)
        findings.append(f"{finding.issue}: {detail}" if detail else finding.issue)
    return findings


def lint_group_file(group_file: GroupFile, file: str) -> list[Diagnostic]:
    """Warnings for every custom policy parliament objects to, with the policy's JSON path."""
    found: list[Diagnostic] = []
    for group_index, group in enumerate(group_file.root):
        for policy_index, policy in enumerate(group.policies()):
            for finding in lint_policy_document(policy.PolicyDocument):
                found.append(
                    warning(
                        "iam-policy-lint",
                        f'policy "{policy.PolicyName}" of group "{group.groupName}": {finding}',
                        file=file,
                        json_path=f"[{group_index}].customPolicies[{policy_index}].PolicyDocument",
                    )
                )
    return found
