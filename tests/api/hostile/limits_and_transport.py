"""Several operations in one document, documents past the limits (depth, aliases, tokens,
fragment fan-out, nesting), and transport oddities (bodies, content types, headers, keys,
methods)."""

from __future__ import annotations

import json
from typing import Any

from tests.api.hostile.base import MISSING, GeneratorBase


class LimitAndTransportRequests(GeneratorBase):
    """Requests about the document as a whole and about the HTTP request around it."""

    # .. 5. several operations ..............................................................

    def _operations(self) -> None:
        login = json.dumps(self.seeds.logins[0])
        a = "query A { __typename }"
        b = f"query B {{ customerUser(login: {login}) {{ login }} }}"
        m = 'mutation C { groupCreate(input: {name: ""}) { userErrors { code } } }'
        # (document, its operation names, whether GraphQL refuses it whatever the name)
        docs: dict[str, tuple[str, set[str], bool]] = {
            "two-named": (f"{a} {b}", {"A", "B"}, False),
            "query-and-mutation": (f"{a} {m}", {"A", "C"}, False),
            "anonymous-and-named": (f"{{ __typename }} {b}", {"B"}, True),
            "two-anonymous": ("{ __typename } { __typename }", set(), True),
            "duplicate-names": (f"{a} query A {{ __typename }}", {"A"}, True),
        }
        names: list[Any] = [MISSING, None, "A", "B", "C", "Nope", ""]
        for label, (text, operations, invalid) in docs.items():
            for name in names:
                payload: dict[str, Any] = {"query": text}
                if name is not MISSING:
                    payload["operationName"] = name
                shown = "absent" if name is MISSING else repr(name)
                # No name (absent, null, ""?) picks nothing in a document of several
                # operations; a name the document lacks picks nothing either.
                refused = invalid or name not in operations
                for key in ("read", "admin") if "mutation" in text else ("read",):
                    self._add(
                        "operations",
                        f"{label} operationName={shown}",
                        payload,
                        key=key,
                        expect_error=refused,
                    )

    # .. 6. limits ..........................................................................

    def _limits(self) -> None:
        login = json.dumps(self.seeds.logins[0])
        deep = "login"
        for _ in range(12):
            deep = f"customer {{ customerUsers(first: 2) {{ nodes {{ {deep} }} }} }}"
        cases: dict[str, str] = {
            "depth-37": f"{{ customerUser(login: {login}) {{ {deep} }} }}",
            "aliases-40": "{ " + " ".join(f"a{i}: __typename" for i in range(40)) + " }",
            "aliases-40-groups": "{ "
            + " ".join(f"g{i}: groups(first: 1000) {{ totalCount }}" for i in range(40))
            + " }",
            "tokens-6000": "{ " + " ".join("__typename" for _ in range(6000)) + " }",
            "fragment-fanout-2^10": _fanout(2, 10),
            "fragment-fanout-4^5": _fanout(4, 5),
            "directives-3000": "{ __typename "
            + " ".join("@skip(if: false)" for _ in range(3000))
            + " }",
            "big-list-literal": "{ groups(first: ["
            + ",".join("1" for _ in range(4000))
            + "]) { totalCount } }",
            "nested-list-literal": "{ groups(first: "
            + "[" * 3000
            + "1"
            + "]" * 3000
            + ") { totalCount } }",
            "nested-object-literal": "{ customerUsers(orderBy: "
            + "{a: " * 2000
            + "1"
            + "}" * 2000
            + ") { totalCount } }",
            "nested-selection-braces": "{ " + "__typename { " * 2000 + "}" * 2000 + " }",
            "wide-pages": "{ "
            + " ".join(
                f"c{i}: customerUsers(first: 1000) "
                "{ nodes { login effectivePermissions { permission } } }"
                for i in range(10)
            )
            + " }",
        }
        for label, text in cases.items():
            self._add("limits", label, {"query": text})
        variables = {"v": [[[[[[[[[[1]]]]]]]]]]}
        self._add(
            "limits",
            "deep-json-variable",
            {"query": "query($v: Int) { __typename }", "variables": variables},
        )
        nested = b"[" * 3000 + b"1" + b"]" * 3000
        self._add_raw(
            "limits",
            "json-nesting-3000",
            b'{"query": "{ __typename }", "variables": {"v": ' + nested + b"}}",
        )

    # .. 7. transport .......................................................................

    def _transport(self) -> None:
        ok = b'{"query": "{ __typename }"}'
        bodies: list[tuple[str, bytes]] = [
            ("empty-body", b""),
            ("open-brace", b"{"),
            ("not-json", b"not json"),
            ("json-array", b"[]"),
            ("json-batch", b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]'),
            ("json-null", b"null"),
            ("json-number", b"1"),
            ("json-string", b'"{ __typename }"'),
            ("truncated", ok[:-3]),
            ("invalid-utf8", b'{"query": "{ __typename \xff\xfe }"}'),
            ("utf16", ok.decode().encode("utf-16")),
            ("utf8-bom", b"\xef\xbb\xbf" + ok),
            ("duplicate-keys", b'{"query": "{ nope }", "query": "{ __typename }"}'),
            (
                "surrogate-in-query",
                b'{"query": "{ customerUser(login: \\"\\ud800\\") { login } }"}',
            ),
            (
                "surrogate-in-variables",
                b'{"query": "query($l: String!) { customerUser(login: $l) { login } }", '
                b'"variables": {"l": "\\ud800"}}',
            ),
            ("surrogate-as-key", b'{"query": "{ __typename }", "variables": {"\\udc00": 1}}'),
            (
                "nan-literal",
                b'{"query": "query($f: Int) { groups(first: $f) { totalCount } }", '
                b'"variables": {"f": NaN}}',
            ),
            (
                "huge-number",
                b'{"query": "query($f: Int) { groups(first: $f) { totalCount } }", '
                b'"variables": {"f": ' + b"9" * 5000 + b"}}",
            ),
            ("trailing-garbage", ok + b" garbage"),
            ("nul-bytes", b"\x00" * 64),
        ]
        for label, body in bodies:
            self._add_raw("transport", label, body)
        types: list[tuple[str, str | None, bytes]] = [
            ("text-plain", "text/plain", ok),
            ("graphql-type", "application/graphql", b"{ __typename }"),
            ("graphql-response-type", "application/graphql-response+json", ok),
            ("form", "application/x-www-form-urlencoded", b"query=%7B__typename%7D"),
            ("multipart-garbage", "multipart/form-data; boundary=x", b"--x\r\nnonsense\r\n--x--"),
            ("multipart-no-boundary", "multipart/form-data", ok),
            ("no-content-type", None, ok),
            (
                "json-latin1",
                "application/json; charset=latin-1",
                '{"query": "{ customerUser(login: \\"\u00e9\\") { login } }"}'.encode("latin-1"),
            ),
            ("json-uppercase", "APPLICATION/JSON", ok),
            ("json-odd-params", "application/json;;;charset", ok),
            ("content-type-garbage", "\u00e9/\u00e9", ok),
        ]
        for label, ctype, body in types:
            self._add_raw("transport", label, body, content_type=ctype)
        headers: list[tuple[str, tuple[tuple[str, str], ...]]] = [
            ("host-evil", (("host", "evil.example"),)),
            ("host-rebinding-ip", (("host", "203.0.113.7:8000"),)),
            ("host-empty", (("host", ""),)),
            ("host-latin1", (("host", "\u00e9vil.example"),)),
            ("origin-evil", (("origin", "http://evil.example"),)),
            ("content-length-lie", (("content-length", "5"),)),
            ("accept-html", (("accept", "text/html"),)),
            ("accept-multipart", (("accept", "multipart/mixed"),)),
        ]
        for label, extra in headers:
            self._add_raw("transport", label, ok, headers=extra)
        keys = [
            ("no-key", None),
            ("basic-auth", "Basic YTpi"),
            ("bearer-empty", "Bearer "),
            ("bearer-10k", "Bearer " + "k" * 10_000),
            ("bearer-latin1", "Bearer \u00e9\u00e9"),
            ("bearer-two-tokens", "Bearer a b"),
        ]
        for label, key in keys:
            self._add_raw("transport", label, ok, key=key)
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            self._add_raw("transport", f"method-{method}", ok, method=method, expect_json=False)


def _fanout(width: int, levels: int) -> str:
    """Fragments that each spread the one below ``width`` times: width**levels fields from a
    few hundred bytes (validation must stay linear in the text, not in the expansion)."""
    fragments = ["fragment L0 on Query { __typename }"]
    for level in range(1, levels + 1):
        spreads = " ".join(f"...L{level - 1}" for _ in range(width))
        fragments.append(f"fragment L{level} on Query {{ {spreads} }}")
    return f"{{ ...L{levels} }} " + " ".join(fragments)
