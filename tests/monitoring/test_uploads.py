"""Evidence uploads: the content decides the type; the name and the declared type must agree with
it; active content (HTML, SVG, scripts) and anything outside the short list are refused, in the
service and in the admin form, with nothing stored."""
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditRecord
from monitoring import services
from monitoring.admin import EvidenceForm
from monitoring.models import Evidence
from monitoring.uploads import UploadRejected, check_upload

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.mark.parametrize("name,declared,head,kind", [
    ("imagery.png", "image/png", PNG, "png"),
    ("report.PDF", "application/pdf", PDF, "pdf"),
    ("photo.jpeg", "application/octet-stream", JPEG, "jpeg"),
    ("manifest.csv", "text/csv", "name,imo\nKOTI,9417115\nSAEBYŎL,8916293\n".encode(), "text"),
])
def test_files_whose_content_name_and_declared_type_agree_are_accepted(name, declared, head, kind):
    assert check_upload(name=name, declared_type=declared, head=head) == kind


@pytest.mark.parametrize("name,declared,head,reason", [
    ("invoice.pdf", "application/pdf", HTML, "not what its name"),           # HTML dressed as a PDF
    ("imagery.png", "image/png", ELF, "not what its name"),                  # an executable as an image
    ("imagery.png", "image/png", PDF, "not what its name"),                  # a PDF called .png
    ("notes.txt", "text/plain", HTML, "not what its name"),                  # active content as text
    ("notes.txt", "text/plain", b"\xff\xfe\x00bad\x00utf", "not what its name"),  # not text at all
    ("imagery.png", "text/html", PNG, "declared as 'text/html'"),
    ("page.html", "text/html", HTML, "not accepted"),
    ("drawing.svg", "image/svg+xml", SVG, "not accepted"),
    ("tool.exe", "application/octet-stream", ELF, "not accepted"),
    ("no-extension", "", PNG, "not accepted"),
])
def test_mismatched_or_active_files_are_refused(name, declared, head, reason):
    with pytest.raises(UploadRejected, match=reason):
        check_upload(name=name, declared_type=declared, head=head)


@pytest.fixture
def report(analyst_kr, make_report):
    return make_report(author=analyst_kr, tlp="AMBER")


def test_the_service_refuses_a_disguised_file_and_stores_nothing(report, analyst_kr, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    audit_before = AuditRecord.objects.count()
    upload = SimpleUploadedFile("../../sat.png", HTML, content_type="image/png")

    with pytest.raises(ValidationError) as error:
        services.evidence_save(evidence=Evidence(report=report, kind="satellite_image", source="x", file=upload),
                               actor=analyst_kr, channel="test")

    assert "file" in error.value.message_dict
    assert not Evidence.objects.exists() and AuditRecord.objects.count() == audit_before
    assert not any(tmp_path.rglob("*"))


def test_the_service_checks_the_declared_type_too(report, analyst_kr, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("imagery.png", PNG, content_type="text/html")

    with pytest.raises(ValidationError, match="declared as 'text/html'"):
        services.evidence_save(evidence=Evidence(report=report, kind="satellite_image", source="x", file=upload),
                               actor=analyst_kr, channel="test")
    assert not Evidence.objects.exists() and not any(tmp_path.rglob("*"))


def test_the_service_refuses_a_file_over_the_size_limit(report, analyst_kr, settings, tmp_path):
    settings.MEDIA_ROOT, settings.EVIDENCE_MAX_UPLOAD_BYTES = tmp_path, 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")

    with pytest.raises(ValidationError, match="larger than 1024 bytes"):
        services.evidence_save(evidence=Evidence(report=report, kind="document", source="x", file=upload),
                               actor=analyst_kr, channel="test")
    assert not Evidence.objects.exists() and not any(tmp_path.rglob("*"))


def test_a_path_in_the_upload_name_never_reaches_the_storage_path(report, analyst_kr, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in ("../../../../tmp/owned.pdf", "..\\..\\windows\\owned.pdf", "/etc/cron.d/owned.pdf",
                 "%2e%2e%2fowned.pdf", "owned.pdf\x00.png"):
        upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
        try:
            evidence = services.evidence_save(
                evidence=Evidence(report=report, kind="document", source="x", file=upload),
                actor=analyst_kr, channel="test")
        except ValidationError:
            continue  # refused outright is fine too; stored outside MEDIA_ROOT is not
        stored = (settings.MEDIA_ROOT / evidence.file.name).resolve()
        assert stored.is_relative_to(settings.MEDIA_ROOT.resolve()), name
        assert "/" not in evidence.original_filename and "\\" not in evidence.original_filename
    assert not (tmp_path / "owned.pdf").exists()
    assert all(path.is_relative_to(settings.MEDIA_ROOT) for path in tmp_path.rglob("*") if path.is_file())


def test_the_admin_form_shows_the_refusal_beside_the_file_field(report):
    form = EvidenceForm(
        data={"report": report.pk, "kind": "document", "source": "Customs", "tlp": "AMBER"},
        files={"file": SimpleUploadedFile("invoice.pdf", HTML, content_type="application/pdf")},
    )

    assert not form.is_valid()
    assert "not what its name" in form.errors["file"][0]


def test_the_admin_form_accepts_a_real_pdf(report):
    form = EvidenceForm(
        data={"report": report.pk, "kind": "document", "source": "Customs", "tlp": "AMBER"},
        files={"file": SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")},
    )

    assert form.is_valid(), form.errors
