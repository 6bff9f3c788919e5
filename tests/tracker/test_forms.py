"""The shared MultipleFileField: one <input type=file multiple> cleaned to a list of files."""

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from tracker.forms import MultipleFileField


class Evidence(forms.Form):
    files = MultipleFileField(required=False)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def test_every_chosen_file_is_kept_in_order():
    form = Evidence(data={}, files=MultiValueDict({"files": [pdf("a.pdf"), pdf("b.pdf")]}))
    assert form.is_valid()
    assert [f.name for f in form.cleaned_data["files"]] == ["a.pdf", "b.pdf"]


def test_empty_parts_of_the_upload_are_left_out():
    form = Evidence()
    assert [f.name for f in form.fields["files"].clean([pdf("a.pdf"), None, ""])] == ["a.pdf"]


def test_no_file_gives_an_empty_list():
    form = Evidence(data={}, files=MultiValueDict())
    assert form.is_valid() and form.cleaned_data["files"] == []
