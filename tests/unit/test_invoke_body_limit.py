"""InvokeModel takes a body of at most 25,000,000 bytes: a request whose built body is larger is
refused before any call, with a message naming the limit (Bedrock's own refusal is a generic
invalid request)."""

import pytest
from imagegen import errors, png
from imagegen.models.contracts import BuiltRequest
from imagegen.models.images import build_request
from imagegen.models.request import ImageRequest, Task

SD35 = "stability.sd3-5-large-v1:0"
ENVELOPE = len('{"prompt":""}')


def built_of(size: int) -> BuiltRequest:
    return BuiltRequest(SD35, {"prompt": "a" * (size - ENVELOPE)}, None, quality=None, size=None)


def test_a_body_of_exactly_25000000_bytes_is_sent():
    built = built_of(25_000_000)
    built.check_size()
    assert len(built.invoke_kwargs()["body"]) == 25_000_000


def test_a_body_one_byte_over_25000000_is_refused_naming_the_limit():
    with pytest.raises(errors.RequestTooLarge) as caught:
        built_of(25_000_001).check_size()
    error = caught.value
    assert isinstance(error, errors.InvalidRequest) and error.http_status == 400 and error.exit_code == 2
    assert error.to_dict() == {
        "code": "request_too_large",
        "message": f"the request to {SD35} would be 25,000,001 bytes; InvokeModel takes at most 25,000,000 bytes "
        "(base64 makes an image a third larger): send a smaller source image",
        "model_id": SD35,
        "size": 25_000_001,
        "limit": 25_000_000,
    }


def big_source() -> bytes:
    """A 2600x2600 PNG stored without compression: 20.3 MB, inside SD3.5's 9.4-megapixel input
    limit, and 27 MB once base64 puts it in a body."""
    row = bytes([120, 60, 30]) * 2600
    return png.encode(png.Raster(2600, 2600, "RGB", (row,) * 2600), level=0)


def test_a_large_source_that_passes_the_image_checks_is_refused_before_any_call():
    request = ImageRequest(task=Task.VARIATION, images=(big_source(),), prompt="a fox", strength=0.5)
    with pytest.raises(
        errors.RequestTooLarge, match=r"would be 27,\d{3},\d{3} bytes; InvokeModel takes at most 25,000,000"
    ):
        build_request(SD35, request)
