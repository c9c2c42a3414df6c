"""ePortfolio objects and artifacts (eportfolio-artifacts.txt), the seeded users, whoami."""
from conftest import BEARER, LP


def token_for(client, user, scope="core:*:*"):
    r = client.post("/_emulator/tokens", json={"user": user, "scope": scope, "lifetime": None})
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


# --- users ------------------------------------------------------------------------------------
def test_whoami_answers_the_callers_user(client):
    assert client.get(f"{LP}/users/whoami", headers=BEARER).json() == {
        "Identifier": "3", "FirstName": "Demo", "LastName": "Administrator",
        "UniqueName": "demo-admin", "ProfileIdentifier": "dEmOaDmInPrOfIlE"}
    for user, unique in (("101", "ada"), ("102", "grace"), ("103", "alan")):
        me = client.get(f"{LP}/users/whoami", headers=token_for(client, user)).json()
        assert me["Identifier"] == user and me["UniqueName"] == unique
    me = client.get(f"{LP}/users/whoami", headers=token_for(client, "101")).json()
    assert (me["FirstName"], me["LastName"]) == ("Ada", "Lovelace")


def test_mint_token_user(client):
    r = client.post("/_emulator/tokens", json={})
    me = client.get(f"{LP}/users/whoami",
                    headers={"Authorization": "Bearer " + r.json()["access_token"]}).json()
    assert me["Identifier"] == "3"  # default user
    assert client.post("/_emulator/tokens", json={"user": "999"}).status_code == 400
    assert client.post("/_emulator/tokens", json={"user": 101}).status_code == 400
