from tests.conftest import Api, unique


async def test_create_customer_then_user_and_read_back(api: Api) -> None:
    cid = unique("C")
    r = await api.gql(
        "mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { customerId name } userErrors { code } } }",
        {"i": {"customerId": cid, "name": f"Name {cid}"}},
    )
    assert r.data["customerCreate"] == {"customer": {"customerId": cid, "name": f"Name {cid}"}, "userErrors": []}
    login = unique("u")
    r = await api.gql(
        "mutation($i: CustomerUserCreateInput!) { customerUserCreate(input: $i) { customerUser { login customer { customerId } source } generatedPassword userErrors { field code message } } }",
        {"i": {"login": login, "firstName": "A", "lastName": "B", "email": f"{login}@acme.test", "customerId": cid}},
    )
    payload = r.data["customerUserCreate"]
    assert payload["userErrors"] == []
    assert payload["customerUser"] == {"login": login, "customer": {"customerId": cid}, "source": "CustomerUser"}
    assert len(payload["generatedPassword"]) >= 16


async def test_statement_header_counts(api: Api) -> None:
    r = await api.gql("{ customerUsers(first: 100) { nodes { login customer { name } } } }")
    assert r.statements > 0, r.statements
    print("STATEMENTS", r.statements)
