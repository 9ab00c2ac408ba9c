"""ISO 4217 currencies a trainer can charge in, with their number of minor-unit digits.

Hardcoded on purpose: the list changes rarely (a handful of codes per decade) and a
dependency would be heavier than this table. Fund codes, precious metals and testing
codes (XAU, XTS, BOV, CLF, ...) are left out: nobody pays a subscription in them.
Last reviewed against ISO 4217 amendment list in 2026 (XCG replaced ANG, ZWG replaced ZWL).
"""

import re
from decimal import Decimal

_ZERO_DECIMAL = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF"
_THREE_DECIMAL = "BHD IQD JOD KWD LYD OMR TND"
_TWO_DECIMAL = (
    "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
    "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK "
    "LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO "
    "NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE "
    "SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VED VES "
    "WST XCD XCG YER ZAR ZMW ZWG"
)

# code -> digits after the decimal point (the minor unit exponent).
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_ZERO_DECIMAL.split(), 0),
    **dict.fromkeys(_TWO_DECIMAL.split(), 2),
    **dict.fromkeys(_THREE_DECIMAL.split(), 3),
}

_CODE = re.compile(r"^[A-Z]{3}$")


def is_valid_currency(code: object) -> bool:
    """Exactly an upper-case ISO 4217 code we support (lower case is refused, not fixed)."""
    return isinstance(code, str) and bool(_CODE.match(code)) and code in MINOR_UNITS


def format_amount(amount: int, currency: str) -> str:
    """An integer amount in minor units as people read it: 2900 USD -> "29.00 USD",
    5000 JPY -> "5000 JPY", 1500 KWD -> "1.500 KWD". For staff screens, never for the API
    (which keeps integer minor units)."""
    code = (currency or "").upper()
    digits = MINOR_UNITS.get(code, 2)
    if digits == 0:
        return f"{amount} {code}"
    return f"{Decimal(amount).scaleb(-digits):.{digits}f} {code}"
