import json


def test_openapi_document_describes_the_incidents_endpoint(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/v1/incidents/"]["post"]
    assert set(operation["responses"]) >= {"201", "200", "400", "401", "413", "429"}
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    schema = document["components"]["schemas"]["IncidentRequest"]
    assert schema["required"] == ["subject", "description"]
    # Every $ref points at a schema that exists.
    refs = {value for value in _walk(document) if isinstance(value, str) and value.startswith("#/components/")}
    for ref in refs:
        assert ref.split("/")[-1] in document["components"]["schemas"]


def _walk(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
    else:
        yield node


def test_openapi_document_states_the_bounds_the_api_enforces(client, db):
    """maxLength as the form enforces it; the date window and the text rule in words."""
    from integrations.forms import IncidentForm

    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["IncidentRequest"]
    properties = schema["properties"]

    for name, field in IncidentForm.base_fields.items():
        assert properties[name].get("maxLength") == getattr(field, "max_length", None), name
    occurred_at = properties["occurred_at"]["description"]
    assert "2000-01-01 00:00" in occurred_at and "no puede estar en el futuro" in occurred_at
    assert "-12:00" in occurred_at and "+14:00" in occurred_at
    for name in ("subject", "description", "module", "external_id"):
        assert "U+0000" in properties[name]["description"], name
