"""The public record pages: filters, entries with proofs, checkpoint downloads."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from collegium.federation.services import charter_change
from collegium.ledger import leaf_hash, verify_inclusion
from collegium.record import checkpoints
from collegium.record.models import Entry
from collegium.record.services import record_checkpoint_create
from collegium.record.verification import record_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes(small_federation: Any) -> Any:
    fed = small_federation
    charter_change(
        user=fed.board_member.user, body=fed.enterprise, changes={"board_seats": 9}, reason="a"
    )
    charter_change(
        user=fed.congress_board_member.user, body=None, changes={"term_months": 12}, reason="b"
    )
    return fed


def indexes(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="index" href="/record/(\d+)/"', html)]


def test_newest_first_and_filters(client_for: Any, changes: Any) -> None:
    client = client_for(None)
    page = client.get("/record/").content.decode()
    assert '<option value="" selected>All bodies</option>' in page
    assert '<option value="charter">charter (all)</option>' in page
    all_entries = indexes(page)
    assert all_entries == sorted(all_entries, reverse=True)
    assert len(all_entries) == Entry.objects.count()
    by_kind = indexes(client.get("/record/", {"kind": "charter.changed"}).content.decode())
    assert len(by_kind) == 2
    family = indexes(client.get("/record/", {"kind": "charter"}).content.decode())
    assert family == by_kind
    # The union's filter includes what happened to the enterprise below it.
    union = indexes(client.get("/record/", {"body": "metal"}).content.decode())
    expected = list(
        Entry.objects.filter(body__path__startswith=changes.union.path).values_list(
            "index", flat=True
        )
    )
    assert sorted(union) == sorted(expected) and union
    assert indexes(client.get("/record/", {"body": "putilov"}).content.decode()) == []


def test_filter_fragment_for_htmx(client_for: Any, changes: Any) -> None:
    response = client_for(None).get(
        "/record/",
        {"kind": "charter.changed"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="record-entries",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="record-entries"')
    assert "<html" not in html and len(indexes(html)) == 2
    assert 'id="record-status"' in html and "2 entries match the filter." in html


def test_unknown_filter_value_is_ignored_not_an_error(client_for: Any, changes: Any) -> None:
    response = client_for(None).get("/record/", {"kind": "nonsense", "body": "nowhere"})
    assert response.status_code == 200


def test_pagination(client_for: Any, small_federation: Any) -> None:
    for i in range(55):
        charter_change(
            user=small_federation.board_member.user,
            body=small_federation.enterprise,
            changes={"board_seats": 10 + i % 2},
            reason=str(i),
        )
    client = client_for(None)
    first = indexes(client.get("/record/").content.decode())
    second = indexes(client.get("/record/", {"page": 2}).content.decode())
    assert len(first) == 50 and second and max(second) < min(first)


def test_entry_page_shows_payload_and_a_proof_that_verifies(client_for: Any, changes: Any) -> None:
    entry = Entry.objects.filter(kind="charter.changed").order_by("index").first()
    assert entry is not None
    response = client_for(None).get(f"/record/{entry.index}/")
    html = response.content.decode()
    assert "charter.changed" in html and "reason_digest" in html
    assert bytes(entry.leaf_hash).hex() in html
    proof = json.loads(
        re.search(r"The proof as JSON:</p>\s*<pre[^>]*>(.*?)</pre>", html, re.S)
        .group(1)
        .replace("&quot;", '"')
    )
    size, root = checkpoints.current_head()
    assert proof["tree_size"] == size and proof["root"] == root.hex()
    assert leaf_hash(entry.payload.encode()).hex() == proof["leaf_hash"]
    assert verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        entry.index,
        size,
        [bytes.fromhex(h) for h in proof["path"]],
        root,
    )
    assert client_for(None).get("/record/99999/").status_code == 404
    assert "No signed checkpoint covers this entry yet" in html


def test_entry_proof_is_against_the_signed_checkpoint(client_for: Any, changes: Any) -> None:
    checkpoint = record_checkpoint_create()
    charter_change(
        user=changes.board_member.user,
        body=changes.enterprise,
        changes={"board_seats": 5},
        reason="c",
    )
    html = client_for(None).get("/record/1/").content.decode()
    assert f"checkpoint {checkpoint.size}" in html
    assert bytes(checkpoint.root).hex() in html
    proof = json.loads(
        re.search(r"The proof as JSON:</p>\s*<pre[^>]*>(.*?)</pre>", html, re.S)
        .group(1)
        .replace("&quot;", '"')
    )
    entry = Entry.objects.get(index=1)
    assert proof["tree_size"] == checkpoint.size
    assert verify_inclusion(
        bytes(entry.leaf_hash),
        1,
        checkpoint.size,
        [bytes.fromhex(h) for h in proof["path"]],
        bytes(checkpoint.root),
    )
    # The newest entry is not covered yet and is proved against today's head.
    newest = Entry.objects.order_by("-index").first()
    html = client_for(None).get(f"/record/{newest.index}/").content.decode()
    assert "No signed checkpoint covers this entry yet" in html


def test_checkpoint_downloads_verify(client_for: Any, changes: Any) -> None:
    client = client_for(None)
    assert client.get("/record/checkpoint.txt").status_code == 404  # none signed yet
    checkpoint = record_checkpoint_create()
    for url in ("/record/checkpoint.txt", f"/record/checkpoints/{checkpoint.size}.txt"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        note = response.content.decode()
        head = checkpoints.checkpoint_open(note)
        assert head.size == checkpoint.size
        assert record_verify(since_note=note).ok
    html = client.get("/record/checkpoints/").content.decode()
    assert f"/record/checkpoints/{checkpoint.size}.txt" in html
    assert client.get("/record/checkpoints/12345.txt").status_code == 404
    key = client.get("/record/verifier.txt")
    assert key["Content-Type"].startswith("text/plain")
    assert key.content.decode().strip() == checkpoints.verifier()


def test_record_page_says_what_it_protects(client_for: Any, changes: Any) -> None:
    html = client_for(None).get("/record/").content.decode()
    assert "Only a checkpoint kept outside reveals that." in html
    assert "collegium record verify --since FILE" in html


def test_names_beside_ids_only_for_fellow_members(client_for: Any, changes: Any) -> None:
    """The record holds ids; a fellow member sees the name beside the id, others do not."""
    actor = changes.board_member
    entry = Entry.objects.filter(actor_id=actor.public_id).latest("index")
    beside = re.compile(
        re.escape(actor.public_id)
        + r"</a>[^<]*(<span[^>]*>)?\(?(member: )?"
        + re.escape(actor.full_name)
    )
    for url in ("/record/", f"/bodies/{changes.enterprise.code}/", f"/record/{entry.index}/"):
        assert actor.public_id in client_for(None).get(url).content.decode()
        for who in (None, "operator"):
            assert not beside.search(client_for(who).get(url).content.decode()), (url, who)
        assert beside.search(client_for("worker").get(url).content.decode()), url
    # The entry's kind reads in plain words beside its code.
    html = client_for(None).get("/record/").content.decode()
    assert "Charter changed" in html and "charter.changed" in html
