"""The document library: uploads with their text extracted, and full-text search
across the region's languages, showing the matching passage."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as WordDocument

from samverkan.network import library
from samverkan.network.models import Document


@pytest.fixture
def seeded(union, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert library.demo_library_load(actor=union.noora, network=union.network) == 5
    return union


def search(client, words: str) -> str:
    response = client.post("/network/library/", {"search": "1", "words": words})
    assert response.status_code == 200
    return response.content.decode()


def test_a_swedish_word_finds_the_swedish_documents_in_their_inflected_forms(client, seeded, login):
    hits = library.document_search(actor=seeded.noora, words="människohandeln")
    assert sorted(hit.document.title for hit in hits) == [
        "Equal UP – Samverkan mot trafficking",
        "Handel med människor – vad kan uppnås med samarbete (Lahti 2006)",
    ]
    login(client, seeded.noora)
    page = search(client, "människohandel")
    assert "2 documents found" in page
    assert "<mark>människohandel</mark>" in page.lower()


def test_an_english_phrase_finds_the_english_passages(client, seeded, login):
    hits = library.document_search(actor=seeded.noora, words='"referral mechanism"')
    titles = [hit.document.title for hit in hits]
    assert "Handel med människor – vad kan uppnås med samarbete (Lahti 2006)" in titles
    assert all(hit.marked for hit in hits)
    assert library.document_search(actor=seeded.noora, words="xylophone") == []


def test_a_word_document_and_its_text(client, union, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    word = WordDocument()
    word.add_paragraph("Handlingsplan mod menneskehandel i Københavns Kommune.")
    out = io.BytesIO()
    word.save(out)
    login(client, union.noora)
    response = client.post(
        "/network/library/",
        {
            "upload": "1",
            "network": union.network.pk,
            "file": SimpleUploadedFile("plan.docx", out.getvalue()),
            "title": "Københavns handlingsplan",
            "kind": "action_plan",
            "language": "da",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.text == "Handlingsplan mod menneskehandel i Københavns Kommune."
    for words in ["menneskehandel", "handlingsplanen"]:  # the Danish stem of both forms
        hits = library.document_search(actor=union.noora, words=words)
        assert [hit.document for hit in hits] == [document]


def test_a_file_of_the_wrong_kind_is_refused_with_a_reason(client, union, login):
    login(client, union.noora)
    response = client.post(
        "/network/library/",
        {
            "upload": "1",
            "network": union.network.pk,
            "file": SimpleUploadedFile("sheet.xlsx", b"PK\x03\x04..."),
            "title": "A sheet",
            "kind": "report",
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert "Only PDF, Word (.docx) and text files go into the library." in response.content.decode()
    assert not Document.objects.exists()


def test_the_passage_is_escaped(client, union, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    library.document_add(
        actor=union.noora,
        network=union.network,
        upload=SimpleUploadedFile("x.txt", b"<script>alert(1)</script> trafficking report"),
        title="Escaping",
        kind="report",
        language="en",
    )
    login(client, union.noora)
    page = search(client, "trafficking")
    assert "<mark>trafficking</mark> report" in page
    assert "<script>alert(1)</script>" not in page


def test_another_secretariat_finds_nothing(client, seeded, login):
    assert library.document_search(actor=seeded.other, words="människohandel") == []
    login(client, seeded.other)
    assert "0 documents found" in search(client, "människohandel")
    document = Document.objects.first()
    assert client.get(f"/network/library/{document.uuid}/").status_code == 404


def _upload(client, union, name: str, content: bytes):
    return client.post(
        "/network/library/",
        {
            "upload": "1",
            "network": union.network.pk,
            "file": SimpleUploadedFile(name, content),
            "title": "Upload",
            "kind": "report",
            "language": "en",
        },
    )


def _word_bytes(text: str) -> bytes:
    word = WordDocument()
    word.add_paragraph(text)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _zip_with(replacements: dict[str, bytes], base: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, replacements.get(member.filename, source.read(member)))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip archive"),
        (
            "bad-xml.docx",
            _zip_with({"word/document.xml": b"<w:document><unclosed>"}, _word_bytes("x")),
        ),
        (
            "bomb.docx",
            _zip_with({"word/document.xml": b" " * (60 * 1024 * 1024)}, _word_bytes("x")),
        ),
    ],
)
def test_a_damaged_or_hostile_word_file_is_refused_and_leaves_no_file(
    client, union, login, settings, tmp_path, name, content
):
    settings.MEDIA_ROOT = tmp_path
    login(client, union.noora)
    response = _upload(client, union, name, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "could not be read" in page or "unpacks to too much data" in page
    assert not Document.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_long_text_is_indexed_up_to_the_limit_the_page_states(
    client, union, login, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, union.noora)
    words = " ".join(f"w{number}x" for number in range(1_000_000)).encode()
    assert len(words) > 8 * 1024 * 1024
    response = _upload(client, union, "long.txt", words)
    assert response.status_code == 302
    assert len(Document.objects.get().text) == library.INDEXED_CHARACTERS
    assert [
        hit.document.title for hit in library.document_search(actor=union.noora, words="w7x")
    ] == ["Upload"]
    page = client.get("/network/library/").content.decode()
    assert "The search reads the first 200,000 characters" in page


def test_a_failed_save_leaves_no_file_behind(union, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        library.document_add(
            actor=union.noora,
            network=union.network,
            upload=SimpleUploadedFile("x.txt", b"text"),
            title="T" * 1000,
            kind="report",
            language="en",
        )
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
