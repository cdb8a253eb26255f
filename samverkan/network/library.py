"""The network's document library (the e-portal): uploads of PDF, Word or text,
their text extracted (pypdf, python-docx) and searched in full text.

On PostgreSQL each document's vector is built with the text-search
configuration of its language (Swedish, Danish, English, ...) plus the
``simple`` configuration, so a query is matched both stemmed in every
language of the region and word for word; results show the matching passage
(``ts_headline``). The SQLite trial mode matches the query's words in the
text itself, without stemming.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document as WordDocument
from pypdf import PdfReader

from samverkan.accounts.models import Membership
from samverkan.audit.services import audit_record
from samverkan.network.models import Document, Network, Place
from samverkan.network.responses import validate_upload
from samverkan.policy import access
from samverkan.policy.network import networks_visible_to

# The region's languages and PostgreSQL's text-search configurations for them.
LIBRARY_LANGUAGES = [
    ("sv", gettext_lazy("Swedish"), "swedish"),
    ("da", gettext_lazy("Danish"), "danish"),
    ("no", gettext_lazy("Norwegian"), "norwegian"),
    ("fi", gettext_lazy("Finnish"), "finnish"),
    ("de", gettext_lazy("German"), "german"),
    ("en", gettext_lazy("English"), "english"),
    ("ru", gettext_lazy("Russian"), "russian"),
]
SEARCH_CONFIGURATIONS = {code: config for code, _name, config in LIBRARY_LANGUAGES}
LIBRARY_EXTENSIONS = {".pdf", ".docx", ".txt"}
# Markers ts_headline puts around a match; the passage is split at them.
START, STOP = "\x02", "\x03"
PASSAGE_CHARACTERS = 240


# PostgreSQL's tsvector holds at most 1 MB; this much text stays well below it.
INDEXED_CHARACTERS = 200_000
# A Word file is a zip archive: its unpacked size is checked before it is read.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


def _check_unpacked_size(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # zipfile never unpacks a member beyond the size its header declares.
        if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ValidationError(_("The Word file unpacks to too much data to be read."))


def extract_text(name: str, content: bytes) -> str:
    """The text of a PDF, Word or text file (its first ``INDEXED_CHARACTERS``),
    or a ValidationError that says why not."""
    extension = Path(name).suffix.lower()
    if extension not in LIBRARY_EXTENSIONS:
        raise ValidationError(_("Only PDF, Word (.docx) and text files go into the library."))
    try:
        if extension == ".pdf":
            reader = PdfReader(io.BytesIO(content))
            text = "\n".join(page.extract_text() or "" for page in reader.pages)
        elif extension == ".docx":
            _check_unpacked_size(content)
            document = WordDocument(io.BytesIO(content))
            text = "\n".join(paragraph.text for paragraph in document.paragraphs)
        else:
            text = content.decode("utf-8-sig")
    except ValidationError:
        raise
    except Exception as error:
        # A damaged or hostile file fails in the parsers in many ways (zip, XML,
        # PDF, encoding); for the uploader each means the same.
        raise ValidationError(_("The file's text could not be read.")) from error
    return text.replace("\x00", "")[:INDEXED_CHARACTERS]


@transaction.atomic
def document_add(
    *,
    actor: Membership,
    network: Network,
    upload,
    title: str,
    kind: str,
    language: str,
    published_on: date | None = None,
    place: Place | None = None,
    themes: str = "",
) -> Document:
    access.require(actor, "library.manage", network)
    if Path(upload.name).suffix.lower() not in LIBRARY_EXTENSIONS:
        raise ValidationError(_("Only PDF, Word (.docx) and text files go into the library."))
    validate_upload(upload)
    if language not in SEARCH_CONFIGURATIONS:
        raise ValidationError({"language": _("Choose one of the region's languages.")})
    if place is not None and place.network_id != network.pk:
        raise ValidationError({"place": _("Choose a place of this network.")})
    content = upload.read()
    document = Document(
        network=network,
        title=title.strip(),
        kind=kind,
        language=language,
        published_on=published_on,
        place=place,
        themes=themes,
        original_name=Path(upload.name).name[:255],
        text=extract_text(upload.name, content),
        added_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.file.save(document.original_name, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
            if connection.vendor == "postgresql":
                config = SEARCH_CONFIGURATIONS[language]
                Document.objects.filter(pk=document.pk).update(
                    search_vector=SearchVector("title", weight="A", config=config)
                    + SearchVector("text", weight="B", config=config)
                    + SearchVector("title", "text", weight="D", config="simple")
                )
            audit_record(action="library.document_added", actor=actor, target=document)
    except BaseException:
        # No row, no file: nothing is left on disk for a document that was not added.
        document.file.delete(save=False)
        raise
    return document


def documents_visible_to(actor: Membership | None) -> QuerySet[Document]:
    if not access.can(actor, "library.view"):
        return Document.objects.none()
    return Document.objects.filter(network__in=networks_visible_to(actor))


@dataclass
class Part:
    text: str
    match: bool


@dataclass
class Hit:
    document: Document
    # The passage in parts, the matching ones marked; the template escapes every part.
    passage: list[Part]

    @property
    def marked(self) -> list[str]:
        return [part.text for part in self.passage if part.match]


def _mark(passage: str) -> list[Part]:
    parts = []
    for index, piece in enumerate(passage.replace(STOP, START).split(START)):
        if piece:
            parts.append(Part(piece, match=index % 2 == 1))
    return parts


def _search_postgresql(documents: QuerySet[Document], words: str) -> list[Hit]:
    queries = [
        SearchQuery(words, config=config, search_type="websearch")
        for config in [*sorted(set(SEARCH_CONFIGURATIONS.values())), "simple"]
    ]
    matches = Q()
    combined = queries[0]
    for query in queries:
        matches |= Q(search_vector=query)
    for query in queries[1:]:
        combined = combined | query
    found = (
        documents.filter(matches)
        .annotate(
            rank=SearchRank(F("search_vector"), combined),
            passage=SearchHeadline(
                "text",
                combined,
                start_sel=START,
                stop_sel=STOP,
                max_words=40,
                min_words=15,
                max_fragments=2,
            ),
        )
        .order_by("-rank", "title")
    )
    return [Hit(document, _mark(document.passage)) for document in found]


def _search_sqlite(documents: QuerySet[Document], words: str) -> list[Hit]:
    terms = [term for term in words.split() if term]
    for term in terms:
        documents = documents.filter(Q(title__icontains=term) | Q(text__icontains=term))
    hits = []
    for document in documents.order_by("title"):
        text = document.text
        at = text.lower().find(terms[0].lower()) if terms else 0
        start = max(at - PASSAGE_CHARACTERS // 2, 0)
        passage = text[start : start + PASSAGE_CHARACTERS]
        for term in terms:
            index = passage.lower().find(term.lower())
            if index >= 0:
                passage = (
                    passage[:index]
                    + START
                    + passage[index : index + len(term)]
                    + STOP
                    + passage[index + len(term) :]
                )
        hits.append(Hit(document, _mark(passage)))
    return hits


def document_search(*, actor: Membership, words: str) -> list[Hit]:
    """The actor's network documents matching the words, best first, with a passage each."""
    documents = documents_visible_to(actor)
    words = words.strip()[:200]
    if not words:
        return []
    if connection.vendor == "postgresql":
        return _search_postgresql(documents, words)
    return _search_sqlite(documents, words)


# The seed documents, loaded as the demo library: (file, title, kind, language, date, themes).
DEMO_LIBRARY = [
    (
        "000_5b2d62a4e8abe146.txt",
        "UBC statement against trafficking of women and children – follow up",
        Document.Kind.REPORT,
        "en",
        date(2014, 10, 1),
        "follow-up, gender equality",
    ),
    (
        "001_e409927a621eea6e.txt",
        "Handel med människor – vad kan uppnås med samarbete (Lahti 2006)",
        Document.Kind.SPEECH,
        "sv",
        date(2006, 9, 20),
        "cooperation, referral, action plans",
    ),
    (
        "002_7bdbcc061951bdfc.txt",
        "Efforts in the Fight against Trafficking in Human Beings",
        Document.Kind.REPORT,
        "en",
        date(2010, 10, 30),
        "mobility programme, law enforcement",
    ),
    (
        "003_3b5e2e3084be7cbc.txt",
        "Equal UP – Samverkan mot trafficking",
        Document.Kind.REPORT,
        "sv",
        date(2005, 1, 1),
        "partnership, awareness",
    ),
    (
        "004_f8f2c6198aaefba4.txt",
        "Role of cities in addressing trafficking and exploitation of migrants (CBSS)",
        Document.Kind.GUIDELINE,
        "en",
        date(2016, 1, 1),
        "mapping, identification, referral, prevention",
    ),
]
DEMO_LIBRARY_DIR = Path(__file__).resolve().parent / "demo_library"


def demo_library_load(*, actor: Membership, network: Network) -> int:
    added = 0
    for filename, title, kind, language, published_on, themes in DEMO_LIBRARY:
        if network.documents.filter(original_name=filename).exists():
            continue
        upload = ContentFile((DEMO_LIBRARY_DIR / filename).read_bytes(), name=filename)
        document_add(
            actor=actor,
            network=network,
            upload=upload,
            title=title,
            kind=kind,
            language=language,
            published_on=published_on,
            themes=themes,
        )
        added += 1
    return added
