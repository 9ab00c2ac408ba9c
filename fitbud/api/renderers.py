"""JSON responses written by orjson, in DRF's JSONRenderer's format.

DRF's renderer (json.dumps with its encoder) was the largest single cost of rendering a
list page. This one writes the same document with orjson: compact, UTF-8 (UNICODE_JSON),
U+2028/U+2029 escaped as DRF does; everything orjson does not write the way DRF's encoder
does goes through that encoder (`default`): datetimes (ISO 8601, milliseconds, `Z`), dates
and times, decimals (numbers, COERCE_DECIMAL_TO_STRING is off), lazy strings, sets, bytes.
What orjson refuses (an integer beyond 64 bits, a lone surrogate, an unknown type) falls
back to DRF's renderer, so nothing renders that did not before. One difference, in
notation only: a float below 1e-4 is written as `0.00001` where json.dumps writes `1e-05`
(the same number). NaN and infinities, which DRF refuses (500), are written as null.
fitbud/tests/test_renderers.py compares the two byte for byte.
"""

from __future__ import annotations

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if self.get_indent(accepted_media_type, renderer_context) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, default=_ENCODER.default, option=_OPTIONS)
        except (TypeError, orjson.JSONEncodeError):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in content or b"\xe2\x80\xa9" in content:
            # As DRF: valid JSON, but not valid JavaScript inside a <script> otherwise.
            content = content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
                b"\xe2\x80\xa9", b"\\u2029"
            )
        return content
