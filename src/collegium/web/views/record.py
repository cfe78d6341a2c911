"""The public record: entries, their proofs of inclusion, signed checkpoints."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from collegium.federation import selectors as federation_selectors
from collegium.record import checkpoints as record_checkpoints
from collegium.record import selectors
from collegium.record.models import Checkpoint, Entry
from collegium.web import queries
from collegium.web.forms import RecordFilterForm
from collegium.web.views import is_partial, paginate, vary_on_htmx


def record_list(request: HttpRequest) -> HttpResponse:
    bodies = federation_selectors.body_tree()
    form = RecordFilterForm(request.GET or None, bodies=bodies, kinds=selectors.entry_kinds())
    body_code = kind = ""
    if form.is_valid():
        body_code = form.cleaned_data["body"]
        kind = form.cleaned_data["kind"]
    page = paginate(request, selectors.entries(body_code=body_code or None, kind=kind or None))
    query = urlencode({k: v for k, v in (("body", body_code), ("kind", kind)) if v})
    context = {
        "form": form,
        "page": page,
        "query": query,
        "entry_bodies": {b.pk: b for b in bodies},
        "actor_names": queries.entry_actor_names(list(page.object_list), request.user),
        "filtered": bool(body_code or kind),
    }
    if is_partial(request, "record-entries"):
        context["partial"] = True
        return vary_on_htmx(render(request, "web/_record_entries.html", context))
    context["latest_checkpoint"] = record_checkpoints.latest_checkpoint()
    context["head_size"] = record_checkpoints.current_head()[0]
    return vary_on_htmx(render(request, "web/record_list.html", context))


def record_entry(request: HttpRequest, index: int) -> HttpResponse:
    entry = Entry.objects.filter(index=index).first()
    if entry is None:
        raise Http404(f"The record has no entry #{index}.")
    # Prove inclusion against the newest signed checkpoint that covers the entry, so the
    # root can be checked against a signature; until one covers it, against today's head.
    signed = record_checkpoints.latest_checkpoint()
    if signed is not None and signed.size > entry.index:
        proof = selectors.entry_proof(entry, size=signed.size)
    else:
        signed = None
        proof = selectors.entry_proof(entry)
    head_size = record_checkpoints.current_head()[0]
    data = selectors.entry_data(entry)
    body = queries.body_by_code(data["body"]) if data.get("body") else None
    return render(
        request,
        "web/record_entry.html",
        {
            "entry": entry,
            "data": data,
            "pretty": json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True),
            "body": body,
            "actor_name": queries.entry_actor_names([entry], request.user).get(entry.actor_id),
            "proof": proof,
            "proof_json": json.dumps(
                {
                    "index": proof.index,
                    "tree_size": proof.tree_size,
                    "root": proof.root,
                    "leaf_hash": proof.leaf_hash,
                    "path": proof.path,
                },
                indent=2,
            ),
            "signed": signed,
            "previous": index - 1 if index > 0 else None,
            "next": index + 1 if index + 1 < head_size else None,
        },
    )


def checkpoint_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.checkpoints().defer("note"))
    return render(
        request,
        "web/checkpoints.html",
        {
            "page": page,
            "head_size": record_checkpoints.current_head()[0],
            "verifier": record_checkpoints.verifier(),
        },
    )


def _text(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def checkpoint_text(request: HttpRequest, size: int) -> HttpResponse:
    checkpoint = Checkpoint.objects.filter(size=size).first()
    if checkpoint is None:
        raise Http404(f"There is no checkpoint at size {size}.")
    return _text(checkpoint.note, f"checkpoint-{size}.txt")


def checkpoint_latest_text(request: HttpRequest) -> HttpResponse:
    checkpoint = record_checkpoints.latest_checkpoint()
    if checkpoint is None:
        raise Http404("No checkpoint has been signed yet.")
    return _text(checkpoint.note, f"checkpoint-{checkpoint.size}.txt")


def verifier_text(request: HttpRequest) -> HttpResponse:
    return _text(record_checkpoints.verifier() + "\n", "verifier-key.txt")
