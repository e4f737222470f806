"""Uploaded pictures are stored without the metadata that locates or identifies."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

pytestmark = pytest.mark.django_db

ORIENTATION, MAKE, MODEL, GPS_IFD, DATETIME = 0x0112, 0x010F, 0x0110, 0x8825, 0x0132
RED, BLUE = (255, 0, 0), (0, 0, 255)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def admin_client(client, django_user_model):
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    boss = django_user_model.objects.create_superuser(
        "picture-desk@example.org", "a-long-password-1"
    )
    client.force_login(boss)
    return client


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "SpyCam"
    exif[MODEL] = "Model 7"
    exif[DATETIME] = "2026:01:02 03:04:05"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    return exif


def photo(fmt: str = "JPEG", *, orientation: int = 1) -> bytes:
    """A 40×20 picture, red on the left half and blue on the right, with EXIF."""
    picture = Image.new("RGB", (40, 20), RED)
    picture.paste(BLUE, (20, 0, 40, 20))
    buffer = io.BytesIO()
    picture.save(buffer, fmt, exif=camera_exif(orientation).tobytes())
    return buffer.getvalue()


def upload(admin_client, data: bytes, name: str):
    from wagtail.images import get_image_model

    response = admin_client.post(
        "/admin/images/add/",
        {
            "title": "Harbour at dawn",
            "description": "Boats leaving the harbour at dawn",
            "credit": "A. Snapper",
            "file": SimpleUploadedFile(name, data),
            "collection": "1",
            "tags": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return get_image_model().objects.get(title="Harbour at dawn")


def stored(image) -> Image.Image:
    with image.open_file() as f:
        picture = Image.open(io.BytesIO(f.read()))
        picture.load()
    return picture


def assert_no_camera_metadata(picture: Image.Image) -> None:
    exif = picture.getexif()
    assert GPS_IFD not in exif
    assert not exif.get_ifd(GPS_IFD)
    assert MAKE not in exif and MODEL not in exif and DATETIME not in exif
    assert "exif" not in picture.info
    assert b"SpyCam" not in picture.tobytes()


def test_admin_upload_of_a_jpeg_stores_it_without_gps_or_camera_exif(admin_client):
    image = upload(admin_client, photo("JPEG"), "dawn.jpg")

    picture = stored(image)
    assert picture.format == "JPEG"
    assert_no_camera_metadata(picture)
    with image.open_file() as f:
        raw = f.read()
    assert b"SpyCam" not in raw and b"Model 7" not in raw
    assert image.file_size == len(raw)
    assert (image.width, image.height) == (40, 20)


def test_admin_upload_applies_the_exif_orientation_to_the_pixels(admin_client):
    # Orientation 6: the camera was turned; viewers rotate the picture 90° clockwise.
    image = upload(admin_client, photo("JPEG", orientation=6), "turned.jpg")

    picture = stored(image)
    assert_no_camera_metadata(picture)
    assert ORIENTATION not in picture.getexif()
    assert picture.size == (20, 40)
    assert (image.width, image.height) == (20, 40)
    # Rotated clockwise, the left (red) half is now on top.
    top = picture.convert("RGB").getpixel((10, 5))
    bottom = picture.convert("RGB").getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "chart.png"), ("WEBP", "x.webp")])
def test_png_and_webp_uploads_lose_their_exif_too(admin_client, fmt, name):
    image = upload(admin_client, photo(fmt), name)

    picture = stored(image)
    assert picture.format == fmt
    assert_no_camera_metadata(picture)


def test_an_animated_gif_is_stored_untouched(admin_client):
    frames = [Image.new("P", (10, 10), i) for i in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0
    )
    data = buffer.getvalue()

    image = upload(admin_client, data, "spinner.gif")

    with image.open_file() as f:
        assert f.read() == data


def test_strip_image_metadata_command_cleans_originals_stored_before_the_fix(tmp_path):
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    # given: an original written straight to storage, as uploads were before
    old_name = default_storage.save("original_images/legacy.jpg", io.BytesIO(photo()))
    image = get_image_model().objects.create(
        title="Legacy", description="An old upload", file=old_name, width=40, height=20
    )
    clean = get_image_model().objects.create(
        title="Already clean",
        description="No metadata",
        file=SimpleUploadedFile("clean.jpg", photo()),
    )
    clean_name = clean.file.name

    # when (twice: the second run finds nothing left to do)
    call_command("strip_image_metadata")
    call_command("strip_image_metadata")

    # then
    image.refresh_from_db()
    assert_no_camera_metadata(stored(image))
    assert not default_storage.exists(old_name)  # the public old URL is gone
    clean.refresh_from_db()
    assert clean.file.name == clean_name
