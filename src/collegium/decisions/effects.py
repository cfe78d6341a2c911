"""What a decision does to things outside the decisions app.

Other apps start decisions about their own objects (a housing allocation, an appeal
against a moderation act, a contract's ratification) and register here what must happen
when such a decision becomes final or fails. The decision carries ``subject_kind`` and
``subject_id``; handlers run inside the transaction that changed the decision's state, so
the decision and its effect are committed together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collegium.decisions.models import Decision

Handler = Callable[["Decision", dt.datetime], None]


@dataclass(frozen=True)
class Subject:
    on_final: Handler | None = None
    on_failed: Handler | None = None
    # The page of the subject, for links from the decision's page.
    url: Callable[[str], str] | None = None
    label: str = ""


_SUBJECTS: dict[str, Subject] = {}


def register(
    kind: str,
    *,
    on_final: Handler | None = None,
    on_failed: Handler | None = None,
    url: Callable[[str], str] | None = None,
    label: str = "",
) -> None:
    """Called from an app's ``AppConfig.ready``; registering a kind twice replaces it."""
    _SUBJECTS[kind] = Subject(on_final, on_failed, url, label)


def subject_of(decision: Decision) -> Subject | None:
    return _SUBJECTS.get(decision.subject_kind) if decision.subject_kind else None


def decision_final(decision: Decision, now: dt.datetime) -> None:
    subject = subject_of(decision)
    if subject is not None and subject.on_final is not None:
        subject.on_final(decision, now)


def decision_failed(decision: Decision, now: dt.datetime) -> None:
    subject = subject_of(decision)
    if subject is not None and subject.on_failed is not None:
        subject.on_failed(decision, now)


def subject_link(decision: Decision) -> tuple[str, str] | None:
    """(label, url) of what the decision is about, where the subject says."""
    subject = subject_of(decision)
    if subject is None or subject.url is None:
        return None
    return subject.label or decision.subject_kind, subject.url(decision.subject_id)
