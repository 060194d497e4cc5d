"""Profile photos: upload on /me/profile/, what is kept of the file, removal, and who sees it."""

import io
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scopes_disabled
from PIL import Image

from members.forms import photos as photo_form
from members.models import Profile, User
from members.selectors.photos import photo_version
from members.services.photos import profile_photo_set
from members.services.profiles import profile_update
from networks.middleware import PrivatePagesMiddleware
from networks.models import Membership

pytestmark = pytest.mark.django_db
URL = "/me/profile/"
GPS = 0x8825
ORIENTATION = 0x0112


def _jpeg(size=(600, 300), *, exif: Image.Exif | None = None, halves=("red", "blue")) -> bytes:
    """A JPEG whose left half and right half have different colours."""
    image = Image.new("RGB", size, halves[0])
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), halves[1]), (size[0] // 2, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif or Image.Exif())
    return out.getvalue()


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "ClubIN Test Camera"  # Make
    exif[GPS] = {1: "N", 2: (43.0, 46.0, 12.0), 3: "E", 4: (11.0, 15.0, 30.0)}
    return exif


COLOURS: dict[str, Any] = {"RGB": (10, 120, 200), "RGBA": (10, 120, 200, 128), "L": 90}


def _image(fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (300, 500), COLOURS[mode]).save(out, fmt)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header says it is ``width`` x ``height``: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def _form(**changes) -> dict:
    data = {"first_name": "Bob", "last_name": "Bellini", "visibility": "networks"}
    return {**data, **changes}


def _upload(client, content: bytes, name: str = "me.jpg", **changes):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post(URL, {**_form(**changes), "photo": upload})


def _stored(user: User) -> str:
    profile = Profile.objects.filter(user=user).first()
    return profile.photo.name if profile else ""


def _photo() -> ContentFile:
    """A photo as the form hands it to the service: already a square JPEG."""
    return ContentFile(photo_form.square_jpeg(io.BytesIO(_jpeg())), name="photo.jpg")


def _open(name: str) -> Image.Image:
    with default_storage.open(name) as stored:
        return Image.open(io.BytesIO(stored.read()))


def _photo_files() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "photos"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def _initials(body: str) -> list[str]:
    """The initials drawn in place of a photo on a page."""
    return re.findall(r'<span class="avatar[^"]*"\s+aria-hidden="true">(\S+)</span>', body)


def _photo_url(user: User) -> str:
    return reverse("profile_photo", kwargs={"user_id": user.pk})


def test_it_stores_a_square_jpeg_without_the_exif_and_gps_of_the_upload(client, personas):
    sent = _jpeg(exif=_gps_exif())
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS)  # the upload does carry GPS
    client.force_login(personas.bob)
    response = _upload(client, sent)
    assert response.status_code == 302
    name = _stored(personas.bob)
    assert name.startswith("photos/") and name.endswith(".jpg")
    assert len(Path(name).stem) >= 32  # random, unguessable (24 bytes of token_urlsafe)
    stored = _open(name)
    assert (stored.format, stored.size, stored.mode) == ("JPEG", (400, 400), "RGB")
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS)
    assert "exif" not in stored.info and "icc_profile" not in stored.info
    with default_storage.open(name) as raw:
        content = raw.read()
    assert b"Exif" not in content and b"ClubIN Test Camera" not in content


def _pixel(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    value = image.getpixel((x, y))
    assert isinstance(value, tuple)
    return value


def test_it_turns_the_photo_upright_before_cropping(client, personas):
    """Left red, right blue, with "rotate 90° clockwise to view": upright, red is on top."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    client.force_login(personas.bob)
    assert _upload(client, _jpeg((600, 300), exif=exif)).status_code == 302
    stored = _open(_stored(personas.bob)).convert("RGB")
    top, bottom = _pixel(stored, 200, 20), _pixel(stored, 200, 380)
    assert top[0] > 200 and top[2] < 80, top  # red
    assert bottom[2] > 200 and bottom[0] < 80, bottom  # blue
    left, right = _pixel(stored, 20, 200), _pixel(stored, 380, 200)
    assert left == right or abs(left[0] - right[0]) < 40  # not the sideways original


@pytest.mark.parametrize(
    ("fmt", "mode"), [("PNG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB"), ("JPEG", "L")]
)
def test_it_accepts_png_webp_and_jpeg(client, personas, fmt, mode):
    client.force_login(personas.bob)
    response = _upload(client, _image(fmt, mode), name=f"me.{fmt.lower()}")
    assert response.status_code == 302
    stored = _open(_stored(personas.bob))
    assert (stored.format, stored.size) == ("JPEG", (400, 400))


def _errors(response) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].errors.get("photo", [])


def _truncated_jpeg() -> bytes:
    whole = _jpeg((800, 800))
    return whole[: len(whole) // 2]


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 50), "green").save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"This is not a picture, only text named like one.\n" * 20, photo_form.NOT_AN_IMAGE),
        (_gif(), photo_form.NOT_AN_IMAGE),
        (_truncated_jpeg(), photo_form.BROKEN),
        (_png_claiming(100_000, 100_000), photo_form.TOO_MANY_PIXELS),  # Pillow's own guard
        (_png_claiming(8_000, 6_000), photo_form.TOO_MANY_PIXELS),  # ours, from the header
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, photo_form.NOT_AN_IMAGE),  # a JPEG's start only
    ],
    ids=["text", "gif", "truncated", "bomb", "too-many-pixels", "junk"],
)
def test_it_refuses_what_is_not_a_usable_photo_with_a_form_error(
    client, personas, content, message
):
    profile_update(user=personas.bob, company="Bellini Ceramiche")
    before = _photo_files()
    client.force_login(personas.bob)
    response = _upload(client, content, company="Changed")
    assert _errors(response) == [str(message)]
    assert _stored(personas.bob) == ""
    assert Profile.objects.get(user=personas.bob).company == "Bellini Ceramiche"  # not saved
    assert _photo_files() == before
    assert escape(str(message)) in response.content.decode()  # as the page writes it


def test_it_refuses_a_photo_over_5_mb(client, personas):
    client.force_login(personas.bob)
    over = photo_form.MAX_BYTES + 1
    response = _upload(client, _jpeg() + b"\x00" * (over - len(_jpeg())))
    assert _errors(response) == [str(photo_form.TOO_BIG)]
    assert _stored(personas.bob) == ""


def test_it_keeps_the_decompression_bomb_guard_on():
    assert Image.MAX_IMAGE_PIXELS is not None
    assert photo_form.MAX_PIXELS <= Image.MAX_IMAGE_PIXELS


def test_it_replaces_a_photo_and_deletes_the_old_file(
    client, personas, django_capture_on_commit_callbacks
):
    client.force_login(personas.bob)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, _jpeg(halves=("red", "red")))
    first = _stored(personas.bob)
    assert default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, _jpeg(halves=("blue", "blue"))).status_code == 302
    second = _stored(personas.bob)
    assert second != first
    assert default_storage.exists(second)
    assert not default_storage.exists(first)


def test_it_keeps_the_photo_when_the_profile_is_saved_without_one(client, personas):
    client.force_login(personas.bob)
    _upload(client, _jpeg())
    name = _stored(personas.bob)
    assert client.post(URL, _form(company="Bellini")).status_code == 302
    assert _stored(personas.bob) == name
    assert default_storage.exists(name)


def test_it_removes_the_photo(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.bob)
    _upload(client, _jpeg())
    name = _stored(personas.bob)
    page = client.get(URL).content.decode()
    assert 'name="remove_photo"' in page and _photo_url(personas.bob) in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, _form(remove_photo="on")).status_code == 302
    assert _stored(personas.bob) == ""
    assert not default_storage.exists(name)
    page = client.get(URL).content.decode()
    assert 'name="remove_photo"' not in page  # nothing left to remove
    assert _photo_url(personas.bob) not in page
    assert client.get(_photo_url(personas.bob)).status_code == 404


def test_it_deletes_the_file_with_the_account(client, personas, django_capture_on_commit_callbacks):
    client.force_login(personas.bob)
    _upload(client, _jpeg())
    name = _stored(personas.bob)
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        User.objects.filter(pk=personas.bob.pk).delete()
    assert not Profile.objects.filter(photo=name).exists()
    assert not default_storage.exists(name)


def test_it_deletes_the_new_file_when_the_row_cannot_be_written(personas, monkeypatch):
    profile_update(user=personas.bob)
    before = _photo_files()

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(Profile, "save", broken)
    with pytest.raises(RuntimeError):
        profile_photo_set(user=personas.bob, image=_photo())
    assert _photo_files() == before


def test_it_gives_a_person_without_a_profile_one_with_the_photo(personas):
    profile = profile_photo_set(user=personas.dave, image=_photo())
    assert Profile.objects.get(user=personas.dave).photo.name == profile.photo.name != ""
    assert Profile.objects.get(user=personas.dave).search_text == "dave donati"


# --- Who sees a photo: the profile's visibility ---------------------------------------------
# Bob (FlorenceIN) has a photo. Alice shares FlorenceIN with him; Charlie is in VenetoIN only;
# Dave has no membership; Fiona is federation staff without a membership.
MATRIX = {
    Profile.Visibility.NETWORKS: {
        "bob": 200, "alice": 200, "charlie": 404, "dave": 404, "fiona": 404, "anonymous": 404,
    },
    Profile.Visibility.FEDERATION: {
        "bob": 200, "alice": 200, "charlie": 200, "dave": 404, "fiona": 404, "anonymous": 404,
    },
    Profile.Visibility.HIDDEN: {
        "bob": 200, "alice": 404, "charlie": 404, "dave": 404, "fiona": 404, "anonymous": 404,
    },
}  # fmt: skip


@pytest.mark.parametrize("visibility", list(MATRIX))
def test_it_shows_a_photo_to_whoever_may_see_the_profile(client, personas, visibility):
    profile_update(user=personas.bob, visibility=visibility)
    profile_photo_set(user=personas.bob, image=_photo())
    url = _photo_url(personas.bob)
    for who, expected in MATRIX[visibility].items():
        client.logout()
        if who != "anonymous":
            client.force_login(getattr(personas, who))
        response = client.get(url)
        assert response.status_code == expected, who
        if expected == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert Image.open(io.BytesIO(response.content)).size == (400, 400)


def test_it_hides_the_photo_of_a_member_whose_membership_ended(client, personas):
    profile_update(user=personas.bob, visibility=Profile.Visibility.FEDERATION)
    profile_photo_set(user=personas.bob, image=_photo())
    client.force_login(personas.charlie)
    assert client.get(_photo_url(personas.bob)).status_code == 200
    with scopes_disabled():
        Membership.objects.filter(user=personas.bob).update(status=Membership.Status.LAPSED)
    assert client.get(_photo_url(personas.bob)).status_code == 404
    client.force_login(personas.alice)  # they no longer share an active network either
    assert client.get(_photo_url(personas.bob)).status_code == 404


def test_it_lets_the_browser_keep_a_photo_privately(client, personas):
    profile_photo_set(user=personas.bob, image=_photo())
    client.force_login(personas.alice)
    response = client.get(_photo_url(personas.bob))
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "private" in directives and "max-age=3600" in directives
    assert "no-store" not in directives and "public" not in directives
    etag = response["ETag"]
    assert etag == f'"{photo_version(_stored(personas.bob))}"'
    again = client.get(_photo_url(personas.bob), headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert "private" in again["Cache-Control"]
    assert client.head(_photo_url(personas.bob)).status_code == 200
    assert client.post(_photo_url(personas.bob)).status_code == 405


def test_it_changes_the_photo_address_with_the_photo(client, personas):
    profile_photo_set(user=personas.bob, image=_photo())
    client.force_login(personas.bob)
    first = client.get("/me/").context["photo_url"]
    profile_photo_set(user=personas.bob, image=_photo())
    second = client.get("/me/").context["photo_url"]
    assert first.startswith(_photo_url(personas.bob) + "?v=")
    assert second.startswith(_photo_url(personas.bob) + "?v=") and second != first
    assert _stored(personas.bob).split("/")[-1].split(".")[0] not in second  # name stays secret


def test_it_answers_404_for_a_photo_missing_from_the_storage(client, personas):
    profile_photo_set(user=personas.bob, image=_photo())
    default_storage.delete(_stored(personas.bob))
    client.force_login(personas.bob)
    assert client.get(_photo_url(personas.bob)).status_code == 404


def test_it_answers_404_for_someone_without_a_photo_or_nobody(client, personas):
    client.force_login(personas.alice)
    assert client.get(_photo_url(personas.bob)).status_code == 404
    assert client.get("/people/999999/photo/").status_code == 404
    assert client.get(f"/people/{10**30}/photo/").status_code == 404


def test_it_keeps_the_site_middleware_from_caching_other_signed_in_pages(rf, personas):
    """Only "private" with a max-age, said by the view itself, is kept; "private" alone is not."""
    from django.http import HttpResponse

    def view_saying(header):
        def view(request):
            response = HttpResponse("x")
            response["Cache-Control"] = header
            return response

        return view

    request = rf.get("/")
    request.user = personas.bob
    kept = PrivatePagesMiddleware(view_saying("private, max-age=60"))(request)
    assert "no-store" not in kept["Cache-Control"]
    private_only = PrivatePagesMiddleware(view_saying("private"))(request)
    assert "no-store" in private_only["Cache-Control"]


# --- Where photos show: directory, /me/, the profile page ------------------------------------
def test_it_shows_photos_and_initials_in_the_directory(client, personas):
    profile_photo_set(user=personas.bob, image=_photo())
    client.force_login(personas.alice)
    response = client.get("/florence/members/")
    entries = {entry.name: entry for entry in response.context["entries"]}
    assert entries["Bob Bellini"].photo_url.startswith(_photo_url(personas.bob) + "?v=")
    assert entries["Alice Arnolfi"].photo_url == ""
    body = response.content.decode()
    assert f'src="{entries["Bob Bellini"].photo_url}"' in body
    assert _initials(body) == ["AA"]  # Alice, who has no photo
    # What the directory shows, the photo page serves to the same member.
    assert client.get(entries["Bob Bellini"].photo_url).status_code == 200


def test_it_shows_my_photo_on_my_pages(client, personas):
    client.force_login(personas.bob)
    page = client.get("/me/").content.decode()
    assert _initials(page) == ["BB"]
    assert "Aggiungi una foto al mio profilo" in page
    profile_photo_set(user=personas.bob, image=_photo())
    for url in ("/me/", URL):
        response = client.get(url)
        assert f'src="{response.context["photo_url"]}"' in response.content.decode()


def test_it_reserves_the_people_address(client, personas):
    from networks.models import RESERVED_SLUGS

    assert "people" in RESERVED_SLUGS
