"""CSV imports of bodies and members: a preview, then all or nothing.

Every problem is reported as ``FILE:LINE:COLUMN: reason`` (column by header name) and, if
there is any, nothing is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import validate_email
from django.db import transaction

from collegium.federation.models import (
    ALLOWED_PARENT_KINDS,
    WORKPLACE_KINDS,
    Body,
    BodyKind,
    Category,
    CommissionFunction,
    Invitation,
    Member,
    new_public_id,
)
from collegium.federation.permissions import can_import, require
from collegium.record.services import Actor, actor_for, record_append

BODY_COLUMNS = ("code", "name", "kind", "parent_code")
BODY_OPTIONAL = ("function",)  # commissions only: moderation, control, planning, …
MEMBER_COLUMNS = ("member_no", "given_name", "family_name", "email", "category", "body_code")
MEMBER_OPTIONAL = ("joined_on",)


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str
    reason: str

    def render(self, filename: str) -> str:
        return f"{filename}:{self.line}:{self.column}: {self.reason}"


@dataclass
class ImportPlan:
    what: str  # "bodies" or "members"
    filename: str
    sha256: str
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    left_alone: int = 0
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def error_lines(self) -> list[str]:
        return [p.render(self.filename) for p in sorted(self.problems, key=lambda p: p.line)]

    def summary(self) -> str:
        return (
            f"{len(self.added)} to add, {len(self.changed)} to change, {self.unchanged} "
            f"unchanged, {self.left_alone} already there and not in the file (left alone)"
        )


class ImportRejected(ValueError):
    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("\n".join(plan.error_lines()))
        self.plan = plan


def _decode(data: bytes, plan: ImportPlan) -> str | None:
    if not data.strip():
        plan.problems.append(ImportProblem(1, "1", "the file is empty"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        plan.problems.append(
            ImportProblem(
                line,
                str(column),
                f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            )
        )
        return None


def _rows(
    text: str, required: tuple[str, ...], optional: tuple[str, ...], plan: ImportPlan
) -> list[tuple[int, dict[str, str]]] | None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        plan.problems.append(ImportProblem(1, "1", "the file is empty"))
        return None
    missing = [c for c in required if c not in header]
    for column in missing:
        plan.problems.append(
            ImportProblem(1, column, f"missing column {column!r} (expected {','.join(required)})")
        )
    unknown = [c for c in header if c not in required and c not in optional]
    for column in unknown:
        plan.problems.append(ImportProblem(1, column, f"unknown column {column!r}"))
    if missing or unknown:
        return None
    rows = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            plan.problems.append(
                ImportProblem(
                    line,
                    header[min(len(values), len(header)) - 1],
                    f"expected {len(header)} fields, found {len(values)}",
                )
            )
            continue
        rows.append((line, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    if not rows and not plan.problems:
        plan.problems.append(ImportProblem(2, required[0], "the file has a header but no rows"))
    return rows


def bodies_plan(data: bytes, filename: str = "bodies.csv") -> ImportPlan:
    plan = ImportPlan("bodies", filename, hashlib.sha256(data).hexdigest())
    text = _decode(data, plan)
    rows = None if text is None else _rows(text, BODY_COLUMNS, BODY_OPTIONAL, plan)
    if rows is None:
        return plan
    existing = {b.code: b for b in Body.objects.all()}
    parents: dict[str, str] = {
        code: b.parent.code for code, b in existing.items() if b.parent_id and b.parent
    }
    kinds: dict[str, str] = {code: b.kind for code, b in existing.items()}
    seen: dict[str, int] = {}
    valid_kinds = set(BodyKind.values)
    for line, row in rows:
        code, kind, parent = row["code"], row["kind"], row["parent_code"]
        if not code:
            plan.problems.append(ImportProblem(line, "code", "empty code"))
            continue
        if code in seen:
            plan.problems.append(
                ImportProblem(line, "code", f"duplicate body {code!r} (first on line {seen[code]})")
            )
            continue
        seen[code] = line
        if not row["name"]:
            plan.problems.append(ImportProblem(line, "name", "empty name"))
        row.setdefault("function", "")
        if row["function"] and kind != BodyKind.COMMISSION:
            plan.problems.append(
                ImportProblem(line, "function", f"only commissions have a function, not a {kind}")
            )
        elif row["function"] not in ("", *CommissionFunction.values):
            plan.problems.append(
                ImportProblem(
                    line,
                    "function",
                    f"unknown function {row['function']!r} "
                    f"(one of {', '.join(CommissionFunction.values)})",
                )
            )
        if kind not in valid_kinds:
            plan.problems.append(
                ImportProblem(
                    line, "kind", f"unknown kind {kind!r} (one of {', '.join(BodyKind.values)})"
                )
            )
            continue
        if code in existing and existing[code].kind != kind:
            plan.problems.append(
                ImportProblem(
                    line,
                    "kind",
                    f"body {code!r} is a {existing[code].kind}; its kind cannot change",
                )
            )
        kinds[code] = kind
        if parent:
            parents[code] = parent
        else:
            parents.pop(code, None)
    # Rows with a bad code or kind were reported above; the tree checks below still run
    # on the others, so one upload shows every problem in the file.
    checked = {
        line
        for line, row in rows
        if row["code"] and kinds.get(row["code"]) == row["kind"] and seen.get(row["code"]) == line
    }
    reported = {row["code"] for line, row in rows if line not in checked}

    congresses = [c for c, k in kinds.items() if k == BodyKind.CONGRESS]
    for line, row in rows:
        if line not in checked:
            continue
        code, kind, parent = row["code"], row["kind"], row["parent_code"]
        # Walk up first: reaching this code again means the tree has a cycle, which says
        # more than any complaint about kinds along it.
        chain, cursor = [code], parent
        while cursor:
            if cursor in chain:
                plan.problems.append(
                    ImportProblem(
                        line,
                        "parent_code",
                        f"cycle in the body tree: {' → '.join([*chain, cursor])}",
                    )
                )
                break
            chain.append(cursor)
            cursor = parents.get(cursor, "")
        if cursor:
            continue
        if kind == BodyKind.CONGRESS:
            if parent:
                plan.problems.append(
                    ImportProblem(line, "parent_code", "the congress has no parent")
                )
            if len(congresses) > 1:
                plan.problems.append(
                    ImportProblem(
                        line,
                        "kind",
                        f"only one congress per federation (found {len(congresses)}: "
                        f"{', '.join(sorted(congresses))})",
                    )
                )
            continue
        if not parent:
            plan.problems.append(
                ImportProblem(line, "parent_code", f"a {kind} needs a parent body")
            )
            continue
        if parent not in kinds:
            if parent not in reported:  # a parent row with a bad kind is reported already
                plan.problems.append(ImportProblem(line, "parent_code", f"unknown body {parent!r}"))
            continue
        if kinds[parent] not in ALLOWED_PARENT_KINDS[kind]:
            plan.problems.append(
                ImportProblem(
                    line,
                    "parent_code",
                    f"a {kind} cannot sit under a {kinds[parent]} ({parent!r}); allowed: "
                    f"{', '.join(ALLOWED_PARENT_KINDS[kind])}",
                )
            )
            continue
    if plan.problems:
        return plan

    in_file = set()
    for _line, row in rows:
        in_file.add(row["code"])
        body = existing.get(row["code"])
        if body is None:
            plan.added.append(dict(row))
            continue
        changes = {}
        if body.name != row["name"]:
            changes["name"] = row["name"]
        if body.function != row["function"]:
            changes["function"] = row["function"]
        old_parent = body.parent.code if body.parent_id and body.parent else ""
        if old_parent != row["parent_code"]:
            changes["parent_code"] = row["parent_code"]
        if changes:
            plan.changed.append({"code": row["code"], **changes})
        else:
            plan.unchanged += 1
    plan.left_alone = len(set(existing) - in_file)
    return plan


def _parse_date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def members_plan(data: bytes, filename: str = "members.csv") -> ImportPlan:
    plan = ImportPlan("members", filename, hashlib.sha256(data).hexdigest())
    text = _decode(data, plan)
    rows = None if text is None else _rows(text, MEMBER_COLUMNS, MEMBER_OPTIONAL, plan)
    if rows is None:
        return plan
    bodies = {b.code: b for b in Body.objects.only("id", "code", "kind")}
    categories = set(Category.objects.values_list("code", flat=True))
    existing = {
        m.member_no: m
        for m in Member.objects.select_related("category", "workplace").filter(
            member_no__in=[r["member_no"] for _, r in rows]
        )
    }
    seen: dict[str, int] = {}
    for line, row in rows:
        number = row["member_no"]
        if not number:
            plan.problems.append(ImportProblem(line, "member_no", "empty member number"))
        elif number in seen:
            plan.problems.append(
                ImportProblem(
                    line, "member_no", f"duplicate member {number!r} (first on line {seen[number]})"
                )
            )
        else:
            seen[number] = line
        for column in ("given_name", "family_name"):
            if not row[column]:
                plan.problems.append(ImportProblem(line, column, f"empty {column}"))
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                plan.problems.append(
                    ImportProblem(line, "email", f"{row['email']!r} is not an e-mail address")
                )
        if row["category"] not in categories:
            plan.problems.append(
                ImportProblem(
                    line,
                    "category",
                    f"unknown category {row['category']!r} (one of "
                    f"{', '.join(sorted(categories))})",
                )
            )
        body = bodies.get(row["body_code"])
        if body is None:
            plan.problems.append(
                ImportProblem(line, "body_code", f"unknown body {row['body_code']!r}")
            )
        elif body.kind not in WORKPLACE_KINDS:
            plan.problems.append(
                ImportProblem(
                    line,
                    "body_code",
                    f"{row['body_code']!r} is a {body.kind}; members belong to an enterprise or "
                    "a shop",
                )
            )
        try:
            _parse_date(row.get("joined_on", ""))
        except ValueError:
            plan.problems.append(
                ImportProblem(line, "joined_on", f"{row['joined_on']!r} is not a date (YYYY-MM-DD)")
            )
    if plan.problems:
        return plan
    for _line, row in rows:
        member = existing.get(row["member_no"])
        if member is None:
            plan.added.append(dict(row))
            continue
        changes = {}
        for column, current in (
            ("given_name", member.given_name),
            ("family_name", member.family_name),
            ("email", member.email),
            ("category", member.category.code),
            ("body_code", member.workplace.code),
        ):
            if current != row[column]:
                changes[column] = row[column]
        if "joined_on" in row and _parse_date(row["joined_on"]) != member.joined_on:
            changes["joined_on"] = row["joined_on"]
        if changes:
            plan.changed.append({"member_no": row["member_no"], **changes})
        else:
            plan.unchanged += 1
    plan.left_alone = Member.objects.exclude(member_no__in=list(seen)).count()
    return plan


def _check_operator(user: Any) -> Actor:
    if user is None:
        from collegium.record.services import SYSTEM

        return SYSTEM
    require(can_import(user), "only the operator imports bodies and members")
    return actor_for(user)


@transaction.atomic
def bodies_import(*, user: Any, data: bytes, filename: str, dry_run: bool = False) -> ImportPlan:
    actor = _check_operator(user)
    plan = bodies_plan(data, filename)
    if not plan.ok:
        raise ImportRejected(plan)
    if dry_run:
        return plan
    from collegium.federation.services import body_place

    by_code = {b.code: b for b in Body.objects.all()}
    pending = list(plan.added)
    # Create parents before children: repeat passes until everything is placed.
    while pending:
        progress = []
        for row in pending:
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            if row["parent_code"] and parent is None:
                continue
            body = Body.objects.create(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                function=row["function"],
                parent=parent,
                path="",
            )
            body_place(body)
            by_code[body.code] = body
            progress.append(row)
        pending = [r for r in pending if r not in progress]
    for change in plan.changed:
        body = by_code[change["code"]]
        if "name" in change:
            body.name = change["name"]
        if "function" in change:
            body.function = change["function"]
        if "parent_code" in change:
            body.parent = by_code[change["parent_code"]]
        body.save()
        if "parent_code" in change:
            _reparent(body)
    record_append(
        kind="bodies.imported",
        actor=actor,
        data={
            "file_sha256": plan.sha256,
            "added": [
                [
                    r["code"],
                    r["kind"],
                    r["parent_code"],
                    *([r["function"]] if r["function"] else []),
                ]
                for r in plan.added
            ],
            "changed": [{k: v for k, v in c.items()} for c in plan.changed],
            "unchanged": plan.unchanged,
        },
    )
    return plan


def _reparent(body: Body) -> None:
    from collegium.federation.services import body_place

    old_prefix = body.path
    body_place(body)
    for child in Body.objects.filter(path__startswith=old_prefix).exclude(pk=body.pk):
        child.path = body.path + child.path[len(old_prefix) :]
        child.depth = child.path.count("/") - 2
        Body.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)


@transaction.atomic
def members_import(
    *,
    user: Any,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    invite: bool = True,
    base_url: str = "",
) -> ImportPlan:
    actor = _check_operator(user)
    plan = members_plan(data, filename)
    if not plan.ok:
        raise ImportRejected(plan)
    if dry_run:
        return plan
    bodies = {b.code: b for b in Body.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    user_model = get_user_model()
    users = []
    members = []
    for row in plan.added:
        account = user_model(
            username=row["member_no"],
            email=row["email"],
            first_name=row["given_name"],
            last_name=row["family_name"],
        )
        account.set_unusable_password()
        users.append(account)
    user_model.objects.bulk_create(users, batch_size=500)
    # bulk_create returns ids on SQLite 3.35+ and PostgreSQL.
    for row, account in zip(plan.added, users, strict=True):
        members.append(
            Member(
                public_id=new_public_id("m"),
                member_no=row["member_no"],
                user=account,
                given_name=row["given_name"],
                family_name=row["family_name"],
                email=row["email"],
                category=categories[row["category"]],
                workplace=bodies[row["body_code"]],
                joined_on=_parse_date(row.get("joined_on", "")),
            )
        )
    Member.objects.bulk_create(members, batch_size=500)
    changed_record = []
    for change in plan.changed:
        member = Member.objects.get(member_no=change["member_no"])
        for column, value in change.items():
            if column == "category":
                member.category = categories[value]
            elif column == "body_code":
                member.workplace = bodies[value]
            elif column == "joined_on":
                member.joined_on = _parse_date(value)
            elif column != "member_no":
                setattr(member, column, value)
        member.save()
        # Names and addresses stay off the public record; only which fields changed.
        changed_record.append(
            {
                "member": member.public_id,
                "fields": sorted(k for k in change if k != "member_no"),
                **({"body": change["body_code"]} if "body_code" in change else {}),
                **({"category": change["category"]} if "category" in change else {}),
            }
        )
    invited = [m for m in members if m.email] if invite else []
    Invitation.objects.bulk_create([Invitation(member=m, sent_to=m.email) for m in invited])
    record_append(
        kind="members.imported",
        actor=actor,
        data={
            "file_sha256": plan.sha256,
            "added": [[m.public_id, m.workplace.code, m.category.code] for m in members],
            "changed": changed_record,
            "unchanged": plan.unchanged,
            "invited": len(invited),
        },
    )
    if invited:
        transaction.on_commit(lambda: _send_invitations(invited, base_url))
    return plan


def _send_invitations(members: list[Member], base_url: str) -> None:
    from collegium.federation.services import invitation_link

    base = base_url or getattr(settings, "COLLEGIUM_BASE_URL", "")
    messages = [
        (
            f"Your invitation to {settings.COLLEGIUM_FEDERATION_NAME}",
            f"Hello {m.given_name},\n\nYou are a member of {m.workplace.name}. Set your "
            f"password here to take part:\n\n{invitation_link(m, base)}\n\n"
            "The link works once and expires in 14 days.",
            None,
            [m.email],
        )
        for m in members
    ]
    send_mass_mail(messages, fail_silently=False)
