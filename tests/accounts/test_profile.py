from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import Account
from tests.accounts.images import GPS_IFD, huge_png, image_with_gps, text_as_png
from tests.factories import make_account

pytestmark = pytest.mark.django_db
URL = reverse("accounts:edit_profile")


@pytest.fixture
def account(client: Client) -> Account:
    account = make_account("ada", display_name="Ada")
    client.force_login(account.user)
    return account


def _profile(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "display_name": "Ada Lovelace",
        "bio": "Analyst.\nSee https://example.com/notes <script>alert(1)</script>",
        "location": "London",
        "website": "ada.example.com",
        "interests": "#Math, engines  poetry, math",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client: Client) -> None:
    for name in ("accounts:edit_profile", "accounts:settings", "accounts:password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_edit_profile_page_renders(client: Client, account: Account) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Save profile" in html
    assert 'value="Ada"' in html


def test_edit_profile_saves_and_renders_bio(client: Client, account: Account) -> None:
    response = client.post(URL, _profile())
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.display_name == "Ada Lovelace"
    assert account.location == "London"
    assert account.website == "https://ada.example.com"
    assert account.interests == ["math", "engines", "poetry"]
    assert "<script>" not in account.bio_html
    assert "&lt;script&gt;" in account.bio_html
    assert '<a href="https://example.com/notes"' in account.bio_html
    assert 'rel="nofollow noopener noreferrer"' in account.bio_html
    assert "<br>" in account.bio_html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "not a url"}, "website"),
        ({"interests": "good, bad-tag!"}, "interests"),
        ({"interests": " ".join(f"t{i}" for i in range(21))}, "interests"),
        ({"bio": "x" * 501}, "bio"),
    ],
)
def test_edit_profile_errors_keep_input(
    client: Client, account: Account, overrides: dict[str, str], field: str
) -> None:
    response = client.post(URL, _profile(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'value="London"' in response.content.decode()
    account.refresh_from_db()
    assert account.display_name == "Ada"  # nothing saved


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_avatar_upload_strips_exif_and_crops(client: Client, account: Account, fmt: str) -> None:
    response = client.post(URL, _profile(avatar=image_with_gps(fmt)))
    assert response.status_code == 302, response.context["form"].errors
    account.refresh_from_db()
    stored = Path(account.avatar.path)
    assert stored.exists()
    with Image.open(stored) as image:
        assert image.size == (400, 400)
        assert image.format in {"WEBP", "JPEG", "PNG"}
        assert not image.getexif().get_ifd(GPS_IFD)
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
    assert b"PhoneMaker" not in stored.read_bytes()
    assert account.avatar.url in client.get(URL).content.decode()


def test_header_upload_is_resized(client: Client, account: Account) -> None:
    response = client.post(URL, _profile(header=image_with_gps("JPEG", size=(3000, 2000))))
    assert response.status_code == 302
    account.refresh_from_db()
    with Image.open(account.header.path) as image:
        assert image.size == (1500, 500)


def test_replacing_avatar_deletes_old_file(
    client: Client, account: Account, django_capture_on_commit_callbacks
) -> None:
    client.post(URL, _profile(avatar=image_with_gps()))
    account.refresh_from_db()
    old = Path(account.avatar.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _profile(avatar=image_with_gps("PNG")))
    account.refresh_from_db()
    assert not old.exists()
    assert Path(account.avatar.path).exists()


def test_remove_avatar(client: Client, account: Account) -> None:
    client.post(URL, _profile(avatar=image_with_gps()))
    response = client.post(URL, _profile(remove_avatar="on"))
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.avatar


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (text_as_png, "isn&#x27;t an image we can read"),
        (huge_png, "40 megapixels"),
        (
            lambda: SimpleUploadedFile("big.jpg", b"\xff" * (8 * 1024 * 1024 + 1)),
            "larger than 8 MB",
        ),
        (
            lambda: _gif_as("image.bmp", "BMP"),
            "Please upload a JPEG, PNG, WebP or GIF image.",
        ),
    ],
)
def test_bad_avatar_rejected(client: Client, account: Account, upload, message: str) -> None:
    response = client.post(URL, _profile(avatar=upload()))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "avatar" in response.context["form"].errors
    account.refresh_from_db()
    assert not account.avatar
    assert account.display_name == "Ada"  # the valid fields were not half-saved either


def _gif_as(name: str, fmt: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())
