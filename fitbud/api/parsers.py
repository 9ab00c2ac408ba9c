import codecs

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# No object of ours has more than a few dozen keys; a body with thousands in one object is
# an attack on the per-key work after parsing (finding: 150k keys, a 10 MB error answer).
MAX_OBJECT_KEYS = 1000


def _bounded_object(pairs: list[tuple[str, object]]) -> dict:
    if len(pairs) > MAX_OBJECT_KEYS:
        raise ParseError(
            f"JSON parse error - an object has more than {MAX_OBJECT_KEYS} keys.",
            code="parse_error",
        )
    return dict(pairs)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a pathologically nested body is a 400, not a RecursionError,
    and an object with more than MAX_OBJECT_KEYS keys is a 400 before any key is looked at."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            return json.load(
                decoded_stream, parse_constant=parse_constant, object_pairs_hook=_bounded_object
            )
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
