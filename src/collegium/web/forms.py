"""Forms of the web pages. They parse input; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms

from collegium.federation.charters import FIELDS, MAX_REASON_LENGTH, MAX_REASONS, MODERATION_REASONS
from collegium.federation.models import Body, Charter
from collegium.web.templatetags.collegium import entry_kind

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class MemberSearchForm(forms.Form):
    q = forms.CharField(label="Search members by name or number", required=False, max_length=100)


class CharterForm(forms.Form):
    """One text box per charter value (blank = inherit from above) and a reason.

    Values are passed to ``charter_change`` as typed, so the range checks live in one
    place (the service) and their messages appear next to the field.
    """

    def __init__(
        self,
        *args: Any,
        own: Charter | None = None,
        inherited: dict[str, int] | None = None,
        federation_default: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.federation_default = federation_default
        for field in FIELDS:
            initial = getattr(own, field.name, None) if own is not None else None
            hint = f"{field.minimum}–{field.maximum} {field.unit}. " + (
                "" if federation_default else "Leave blank to inherit from above."
            )
            self.fields[field.name] = forms.CharField(
                label=field.label,
                required=False,
                initial=initial,
                max_length=6,
                help_text=f"{field.help} {hint}",
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "numeric",
                        "size": 6,
                        "autocomplete": "off",
                        **(
                            {"placeholder": f"{inherited[field.name]} (inherited)"}
                            if inherited and field.name in inherited
                            else {}
                        ),
                    }
                ),
            )
        own_reasons = getattr(own, MODERATION_REASONS, None) if own is not None else None
        self.fields[MODERATION_REASONS] = forms.CharField(
            label="Reasons for which posts may be hidden",
            required=False,
            initial="\n".join(own_reasons or []),
            max_length=MAX_REASONS * (MAX_REASON_LENGTH + 1),
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text="One reason per line; the moderation commission may hide a criticism or a "
            "condition report only for one of them. "
            + (
                "Leave empty for the built-in list."
                if federation_default
                else "Leave empty to inherit from above."
            ),
        )
        self.fields["reason"] = forms.CharField(
            label="Reason for the change",
            required=False,  # the service says why it is needed
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Kept with the change; the public record holds its fingerprint.",
        )

    def value_fields(self) -> list[forms.BoundField]:
        return [self[f.name] for f in FIELDS]

    def changes(self) -> dict[str, object]:
        values: dict[str, object] = {
            f.name: (self.cleaned_data.get(f.name) or "").strip() or None for f in FIELDS
        }
        values[MODERATION_REASONS] = self.cleaned_data.get(MODERATION_REASONS) or None
        return values

    def add_service_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


class RecordFilterForm(forms.Form):
    body = forms.ChoiceField(label="Body (and everything below it)", required=False)
    kind = forms.ChoiceField(label="Kind of entry", required=False)

    def __init__(self, *args: Any, bodies: list[Body], kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body_choices: list[tuple[str, str]] = [("", "All bodies")]
        body_choices.extend((b.code, "\u2003" * min(b.depth, 6) + b.name) for b in bodies)
        self.fields["body"].choices = body_choices  # type: ignore[attr-defined]
        families = sorted({k.split(".")[0] for k in kinds})
        choices: list[tuple[str, str]] = [("", "All kinds")]
        for family in families:
            choices.append((family, f"{family} (all)"))
            choices.extend(
                (k, f"\u2003{entry_kind(k)}") for k in kinds if k.startswith(f"{family}.")
            )
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        label="What the file holds",
        choices=[
            ("bodies", "Bodies (code, name, kind, parent_code)"),
            (
                "members",
                "Members (member_no, given_name, family_name, email, category, "
                "body_code, optional joined_on)",
            ),
        ],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label="CSV file (UTF-8)", help_text="At most 5 MB.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB; split it in parts.")
        return upload


class InviteForm(forms.Form):
    member_no = forms.CharField(
        label="Member number",
        max_length=40,
        help_text="The member gets a new link by e-mail to set their password.",
    )
