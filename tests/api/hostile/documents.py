"""Valid documents with fragments, aliases and nesting, and documents that misuse variables,
operation names, fragments and directives."""

from __future__ import annotations

from typing import Any

from tests.api.hostile.base import Doc, GeneratorBase
from tests.api.hostile.literals import args_text


class DocumentRequests(GeneratorBase):
    """Whole-document requests: rich selections, and variables and documents misused."""

    # .. 3. valid documents with fragments, aliases, nesting ................................

    def _selections(self) -> None:
        schema = self.schema
        query = schema.types[schema.query]
        for f in query.fields:
            for round_ in range(6):
                args = self.valid_args(f, schema.query, optional=0.4)
                if "__missing__" in args:
                    continue
                doc = Doc()
                budget = 3 + round_ % 3
                selection = self.select(f.type.named, budget, doc)
                sub = f" {{ {selection} }}" if selection else ""
                call = f"{f.name}{args_text(args)}{sub}"
                text = f"x{round_}: {call}" if round_ % 2 else call
                if round_ == 3:  # the same field twice under two aliases
                    text = f"x: {call} y: {call}"
                op = doc.wrap(f"query Sel{round_} {{ __typename {text} }}")
                self._add("selection", f"{f.name} #{round_}", {"query": op})
        for label, node_id in [("real", i) for i in self.seeds.node_ids] + self._odd_ids[:12]:
            doc = Doc()
            selection = self.select("Node", 4, doc)
            q = doc.wrap("query N($id: ID!) { node(id: $id) { " + selection + " } }")
            self._add("selection-node", label, {"query": q, "variables": {"id": node_id}})

    # .. 4. variables misuse ................................................................

    def _variable_misuse(self) -> None:
        login = self.seeds.logins[0]
        groups = "groups(first: $f) { totalCount nodes { name } }"
        cases: list[tuple[str, Any]] = [
            ("undeclared", {"query": f"query {{ {groups} }}", "variables": {"f": 1}}),
            ("unused", {"query": "query($x: Int) { __typename }", "variables": {"x": 1}}),
            (
                "unused-wrong-type",
                {"query": "query($x: Int) { __typename }", "variables": {"x": "a"}},
            ),
            (
                "extra-undeclared",
                {"query": "{ __typename }", "variables": {"zzz": [1, {"a": None}]}},
            ),
            (
                "string-for-int",
                {"query": f"query($f: String) {{ {groups} }}", "variables": {"f": "1"}},
            ),
            (
                "nullable-null-for-non-null",
                {"query": f"query($f: Int) {{ {groups} }}", "variables": {"f": None}},
            ),
            ("nullable-absent", {"query": f"query($f: Int) {{ {groups} }}"}),
            ("unknown-type", {"query": f"query($f: Nope) {{ {groups} }}", "variables": {"f": 1}}),
            ("input-type-as-var", {"query": f"query($f: CustomerUserOrder) {{ {groups} }}"}),
            (
                "output-type-as-var",
                {"query": f"query($f: Group) {{ {groups} }}", "variables": {"f": 1}},
            ),
            ("bad-default", {"query": f'query($f: Int = "a") {{ {groups} }}'}),
            ("null-default-non-null", {"query": f"query($f: Int! = null) {{ {groups} }}"}),
            (
                "duplicate-variable",
                {"query": f"query($f: Int, $f: Int) {{ {groups} }}", "variables": {"f": 1}},
            ),
            (
                "list-var-for-int",
                {"query": f"query($f: [Int]) {{ {groups} }}", "variables": {"f": [1]}},
            ),
            ("variables-list", {"query": "{ __typename }", "variables": [1, 2]}),
            ("variables-string", {"query": "{ __typename }", "variables": "{}"}),
            ("variables-number", {"query": "{ __typename }", "variables": 1}),
            ("variables-null", {"query": "{ __typename }", "variables": None}),
            (
                "variable-in-fragment-undeclared",
                {
                    "query": "query { ...F } "
                    "fragment F on Query { groups(first: $f) { totalCount } }"
                },
            ),
            (
                "variable-in-directive-wrong-type",
                {
                    "query": "query($b: String) { __typename @include(if: $b) }",
                    "variables": {"b": "yes"},
                },
            ),
            (
                "variable-in-directive-null",
                {
                    "query": "query($b: Boolean!) { __typename @include(if: $b) }",
                    "variables": {"b": None},
                },
            ),
            (
                "variable-named-like-keyword",
                {
                    "query": "query($null: Int!, $true: Int!) "
                    "{ groups(first: $null) { totalCount } }",
                    "variables": {"null": 1, "true": 2},
                },
            ),
            (
                "login-var-object",
                {
                    "query": "query($l: String!) { customerUser(login: $l) { login } }",
                    "variables": {"l": {"login": login}},
                },
            ),
            ("operationName-int", {"query": "query A { __typename }", "operationName": 1}),
            ("operationName-list", {"query": "query A { __typename }", "operationName": ["A"]}),
            ("operationName-empty", {"query": "query A { __typename }", "operationName": ""}),
            (
                "operationName-surrogate",
                {"query": "query A { __typename }", "operationName": "\ud800"},
            ),
            ("extensions-string", {"query": "{ __typename }", "extensions": "x"}),
            (
                "extensions-persisted",
                {
                    "query": "{ __typename }",
                    "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
                },
            ),
            (
                "persisted-no-query",
                {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
            ),
            ("query-null", {"query": None}),
            ("query-empty", {"query": ""}),
            ("query-blank", {"query": "   "}),
            ("query-int", {"query": 1}),
            ("query-list", {"query": ["{ __typename }"]}),
            ("query-object", {"query": {"a": 1}}),
            ("query-missing", {"variables": {}}),
            ("unknown-top-level-key", {"query": "{ __typename }", "zzz": 1}),
            ("only-fragments", {"query": "fragment F on Query { __typename }"}),
            ("subscription", {"query": "subscription { __typename }"}),
            ("unknown-fragment", {"query": "{ ...Nope }"}),
            ("fragment-on-scalar", {"query": "{ ...F } fragment F on String { __typename }"}),
            (
                "fragment-cycle",
                {"query": "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"},
            ),
            ("unused-fragment", {"query": "{ __typename } fragment F on Query { __typename }"}),
            (
                "impossible-inline",
                {"query": '{ node(id: "x") { ... on PageInfo { hasNextPage } } }'},
            ),
            (
                "conflicting-aliases",
                {
                    "query": "{ a: groups(first: 1) { totalCount } "
                    "a: services(first: 1) { totalCount } }"
                },
            ),
            (
                "conflicting-args",
                {"query": "{ groups(first: 1) { totalCount } groups(first: 2) { totalCount } }"},
            ),
            ("unknown-directive", {"query": "{ __typename @nope }"}),
            ("duplicate-directive", {"query": "{ __typename @skip(if: false) @skip(if: false) }"}),
            ("directive-missing-arg", {"query": "{ __typename @include }"}),
            ("raw-nul-in-query", {"query": "{ __typename \x00 }"}),
            ("raw-surrogate-in-query", {"query": '{ customerUser(login: "\ud800") { login } }'}),
            ("raw-control-in-string", {"query": '{ customerUser(login: "a\x01b") { login } }'}),
            (
                "escaped-surrogate-literal",
                {"query": '{ customerUser(login: "\\ud800") { login } }'},
            ),
            (
                "escaped-surrogate-pair",
                {"query": '{ customerUser(login: "\\ud83d\\ude00") { login } }'},
            ),
            (
                "variable-width-escape",
                {"query": '{ customerUser(login: "\\u{110000}") { login } }'},
            ),
            ("block-string", {"query": '{ customerUser(login: """a\n\\"""b\u0000""") { login } }'}),
            ("unterminated-string", {"query": '{ customerUser(login: "abc) { login } }'}),
            (
                "introspection-type-surrogate",
                {
                    "query": "query($n: String!) { __type(name: $n) { name } }",
                    "variables": {"n": "\ud800"},
                },
            ),
            (
                "introspection-type-long",
                {
                    "query": "query($n: String!) { __type(name: $n) { name } }",
                    "variables": {"n": "T" * 10_000},
                },
            ),
            ("typename-on-mutation-read", {"query": "mutation { __typename }"}),
        ]
        for label, payload in cases:
            self._add("variables-and-documents", label, payload)
