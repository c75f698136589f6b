"""Parse vs render cost of the VTL evaluator on an Amplify-style auth template.

Baseline (same run): parsing the template from text. Figures: building a `VtlContext` and
rendering the already parsed template, and the same through `get_template` (what a server does per
request, a cache hit). A fresh context per render, because templates mutate it. Run:

    .venv/bin/python bench/vtl_render.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from resolvers.vtl import Template, VtlContext, get_template, render  # noqa: E402
from resolvers.vtl.examples import CREATE_POST_AUTH  # noqa: E402

NAME = "Mutation.createPost.auth.1.req.vtl"
IDENTITIES = {
    "admin (group, #break)": {"sub": "s1", "claims": {"sub": "s1", "cognito:username": "ann", "cognito:groups": ["Admins"]}},
    "owner (auto-fill)": {"sub": "s4", "claims": {"sub": "s4", "cognito:username": "alice"}},
}


def per_call(fn: object, repeat: int = 5, number: int = 200) -> float:
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number  # type: ignore[arg-type]


def main() -> None:
    lines = CREATE_POST_AUTH.count("\n")
    parse_s = per_call(lambda: Template.parse(CREATE_POST_AUTH, NAME), number=100)
    print(f"template: {NAME} ({lines} lines, {len(CREATE_POST_AUTH)} chars)")
    print(f"parse (baseline)                 {parse_s * 1e3:8.3f} ms")
    template = get_template(CREATE_POST_AUTH, NAME)
    for label, identity in IDENTITIES.items():
        def one_render(identity: dict = identity) -> None:
            context = VtlContext(
                arguments={"input": {"title": "t", "content": "c"}},
                identity=identity,
                auth_type="userPools",
                info={"fieldName": "createPost", "parentTypeName": "Mutation"},
            )
            render(template, context)

        def cached_lookup_and_render(identity: dict = identity) -> None:
            context = VtlContext(arguments={"input": {"title": "t"}}, identity=identity, auth_type="userPools")
            render(get_template(CREATE_POST_AUTH, NAME), context)

        render_s = per_call(one_render)
        cached_s = per_call(cached_lookup_and_render)
        print(f"{label}:")
        print(f"  context + render (parsed)      {render_s * 1e3:8.3f} ms   parse/render {parse_s / render_s:6.1f}x")
        print(f"  context + get_template + render {cached_s * 1e3:7.3f} ms   parse/that   {parse_s / cached_s:6.1f}x")


if __name__ == "__main__":
    main()
