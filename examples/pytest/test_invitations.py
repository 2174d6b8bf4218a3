"""Invite, read the email, follow its link to accept, and find the member: the invitation flow,
through the API with requests (the vendor's Python SDK takes the same two environment variables)."""
import os
import re
from urllib.parse import urljoin, urlsplit

import requests


def api(path: str) -> str:
    return os.environ["CONFIDENT_BASE_URL"] + path


def key_header() -> dict[str, str]:
    return {"CONFIDENT_API_KEY": os.environ["CONFIDENT_ORG_API_KEY"]}


def test_invite_read_the_email_accept_and_list_the_member(organization):
    project = organization["projects"][0]["id"]

    created = requests.post(api(f"/v1/projects/{project}/invitations"), headers=key_header(), timeout=10,
                            json={"emails": ["Ada@Example.com"]})
    assert created.status_code == 200
    [invitation] = created.json()["data"]["invitations"]
    assert (invitation["email"], invitation["status"]) == ("ada@example.com", "PENDING")

    # The email the real service would have sent: the control API's outbox.
    outbox = requests.get(api("/__admin/outbox"), headers=organization["admin_headers"], timeout=10,
                          params={"to": "ada@example.com", "organizationId": organization["id"]})
    [email] = outbox.json()["data"]
    assert email["subject"] == f"You're invited to join Web in {organization['name']} on Confident AI"
    assert email["acceptUrl"] in email["text"]

    # The link, as the invitee follows it: the page, then its Accept button, a form POST to the form's
    # action with the headers a browser sends from the page (the console refuses cross-site posts).
    page = requests.get(email["acceptUrl"], timeout=10)
    assert page.status_code == 200 and "Accept" in page.text
    base = urljoin(page.url, re.search(r'<base href="([^"]*)"', page.text).group(1))  # the page's <base>
    action = urljoin(base, re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    forged = requests.post(action, data={"decision": "accept"}, allow_redirects=False, timeout=10,
                           headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"})
    assert forged.status_code == 403, "a post from another site's page is refused"
    accepted = requests.post(action, data={"decision": "accept"}, allow_redirects=False, timeout=10,
                             headers={"Origin": origin, "Sec-Fetch-Site": "same-origin", "Referer": page.url})
    assert accepted.status_code == 303

    members = requests.get(api(f"/v1/projects/{project}/members"), headers=key_header(), timeout=10)
    assert "ada@example.com" in [m["email"] for m in members.json()["data"]["members"]]
    pending = requests.get(api(f"/v1/projects/{project}/invitations"), headers=key_header(), timeout=10)
    assert pending.json()["data"]["invitations"] == [], "an accepted invitation is no longer listed"


def test_each_test_has_its_own_organization(organization):
    # Nothing of the test above is here: this organization is new, with only its owner's project.
    project = organization["projects"][0]["id"]
    listed = requests.get(api(f"/v1/projects/{project}/invitations"), headers=key_header(), timeout=10)
    assert listed.status_code == 200 and listed.json()["data"]["invitations"] == []


def test_a_bad_key_is_refused_in_the_envelope(organization):
    refused = requests.get(api("/v1/organization"), headers={"CONFIDENT_API_KEY": "confident_org_" + "0" * 32}, timeout=10)
    assert refused.status_code == 401
    assert refused.json() == {"success": False, "error": "Invalid API key", "deprecated": False}
