"""Form pieces shared by the apps' forms."""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.forms.renderers import DjangoTemplates


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one <input type=file multiple> (Django docs: "Uploading multiple files").

    Cleans to a list of files; empty parts of the upload are left out.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


# A select's empty choice: Django writes it as "---------" (a model field's blank choice, BLANK_CHOICE_DASH,
# and ModelChoiceField's and django-filter's default empty_label); every form of the site shows 请选择.
EMPTY_LABEL = "请选择"
DJANGO_DASH = BLANK_CHOICE_DASH[0][1]


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), with a select's "---------" choice read as 请选择.

    The one place for it: every form, model form and django-filter form renders its selects through here, so
    no form has to remember an empty_label. A choice a form labels itself (全部方案) stays as it is.
    """

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict):
            for _, options, _ in widget.get("optgroups", ()):
                for option in options:
                    if option.get("label") == DJANGO_DASH:
                        option["label"] = EMPTY_LABEL
        return super().render(template_name, context, request)
