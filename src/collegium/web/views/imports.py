"""The operator's import of bodies and members: upload, preview, confirm.

The uploaded bytes wait in the session between preview and confirm, and the file is
checked again on confirm, so a change in between can never slip through unchecked.
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from collegium.federation import imports, permissions
from collegium.federation.models import Member
from collegium.federation.services import member_invite
from collegium.web.forms import MAX_UPLOAD_BYTES, ImportForm, InviteForm
from collegium.web.views import service_denials

SESSION_KEY = "collegium.import"


def _require_operator(request: HttpRequest) -> None:
    if not permissions.can_import(request.user):
        raise DjangoPermissionDenied("Only the operator imports bodies and members.")


def _plan(what: str, data: bytes, filename: str) -> imports.ImportPlan:
    if what == "bodies":
        return imports.bodies_plan(data, filename)
    return imports.members_plan(data, filename)


@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read(MAX_UPLOAD_BYTES + 1)
            filename = upload.name or f"{form.cleaned_data['what']}.csv"
            what = form.cleaned_data["what"]
            plan = _plan(what, data, filename)
            if plan.ok:
                request.session[SESSION_KEY] = {
                    "what": what,
                    "filename": filename,
                    "data": base64.b64encode(data).decode("ascii"),
                    "sha256": plan.sha256,
                }
            else:
                request.session.pop(SESSION_KEY, None)
            return render(
                request, "web/import_preview.html", {"plan": plan}, status=200 if plan.ok else 400
            )
    else:
        form = ImportForm()
    return render(request, "web/import.html", {"form": form, "invite_form": InviteForm()})


@require_POST
@service_denials
def invite(request: HttpRequest) -> HttpResponse:
    """Send a member a new invitation (a lost password, an expired link)."""
    _require_operator(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["member_no"].strip()
        member = Member.objects.select_related("workplace").filter(member_no=number).first()
        if member is None:
            form.add_error("member_no", f"There is no member with the number {number!r}.")
        else:
            try:
                member_invite(
                    user=request.user,
                    member=member,
                    base_url=request.build_absolute_uri("/")[:-1],
                )
            except ValueError as exc:
                form.add_error("member_no", f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
            else:
                messages.success(
                    request,
                    f"An invitation is on its way to {member.full_name} ({member.email}).",
                )
                return redirect("import")
    return render(
        request, "web/import.html", {"form": ImportForm(), "invite_form": form}, status=400
    )


@require_POST
@service_denials
def import_confirm(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("sha256") != request.POST.get("sha256"):
        messages.error(request, "There is no checked file waiting to be imported; upload it again.")
        return redirect("import")
    data = base64.b64decode(pending["data"])
    what, filename = pending["what"], pending["filename"]
    try:
        if what == "bodies":
            plan = imports.bodies_import(user=request.user, data=data, filename=filename)
        else:
            plan = imports.members_import(
                user=request.user,
                data=data,
                filename=filename,
                base_url=request.build_absolute_uri("/")[:-1],
            )
    except imports.ImportRejected as exc:
        request.session.pop(SESSION_KEY, None)
        return render(
            request, "web/import_preview.html", {"plan": exc.plan, "rejected": True}, status=400
        )
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        f"Imported {filename}: {len(plan.added)} added, {len(plan.changed)} changed, "
        f"{plan.unchanged} already the same. The import is on the public record.",
    )
    return redirect("body_tree" if what == "bodies" else "home")
