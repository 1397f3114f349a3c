"""The names agencies and their contractors write for a federal component's office, generated
from the component's own name and kind: "FBI Boston Field Office" is also "FBI Boston Division"
and "FBI Boston"; "HSI Houston" is also "Special Agent in Charge Houston" and "SAC Houston"; "ERO
Newark Field Office" is "Field Office Director Newark" and "FOD Newark"; a Border Patrol sector is
"El Paso Sector"; a Marshals district is "USMS Eastern District of Texas".

A kind is the shape of the component's name (``_KINDS``: one line per kind of office, none per
office). Its forms come in two sorts: *named* forms say which agency or component the office is
of; *bare* forms ("Boston Field Office") do not. A bare form that several kinds share (the FBI,
ERO and OFO all have field offices) names no agency, so the screener MUST NOT accept it without
the agency named elsewhere (its abbreviation, its email domain): a city's field office of one
agency is not another's. A bare form only one kind has ("El Paso Sector") is a named form.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class _Kind:
    pattern: re.Pattern[str]
    named: tuple[str, ...]
    bare: tuple[str, ...] = ()


_DIRECTIONS = r"(?P<direction>(?:Northern|Southern|Eastern|Western|Middle|Central) )?"
_KINDS = (
    _Kind(re.compile(r"^FBI (?P<place>.+) Field Office$"),
          ("FBI {place} Division", "FBI {place}", "FBI {place} Field Division"),
          ("{place} Field Office",)),
    _Kind(re.compile(r"^HSI (?P<place>.+)$"),
          ("HSI Special Agent in Charge {place}", "HSI SAC {place}", "Special Agent in Charge "
           "{place}", "SAC {place}", "HSI {place} Office")),
    _Kind(re.compile(r"^ERO (?P<place>.+) Field Office$"),
          ("ERO {place}", "ERO Field Office Director {place}", "ERO FOD {place}",
           "Field Office Director {place}", "FOD {place}"),
          ("{place} Field Office",)),
    _Kind(re.compile(r"^OFO (?P<place>.+) Field Office$"),
          ("OFO {place}", "OFO {place} Field Office"),
          ("{place} Field Office",)),
    _Kind(re.compile(r"^DEA (?P<place>.+) Division$"),
          ("DEA {place} Field Division", "DEA {place}"),
          ("{place} Field Division",)),
    _Kind(re.compile(r"^ATF (?P<place>.+) Field Division$"),
          ("ATF {place} Division", "ATF {place}"),
          ("{place} Field Division",)),
    _Kind(re.compile(r"^Border Patrol (?P<place>.+) Sector$"),
          ("USBP {place} Sector", "USBP {place}", "Border Patrol {place}"),
          ("{place} Sector",)),
    _Kind(re.compile(r"^U\.S\. Marshals Service " + _DIRECTIONS + r"District of (?P<place>.+)$"),
          ("USMS {direction}District of {place}", "U.S. Marshals {direction}District of {place}",
           "USMS {place} {direction}District", "U.S. Marshals Service {place} {direction}District",
           "U.S. Marshals {place} {direction}District")),
)
# a bare form two kinds share names no agency (see the module docstring)
_SHARED = frozenset(form for form, count in Counter(
    form for kind in _KINDS for form in kind.bare).items() if count > 1)


@dataclass(frozen=True)
class ComponentNames:
    """A component's other names: ``named`` say whose office it is, ``bare`` do not."""

    named: tuple[str, ...] = ()
    bare: tuple[str, ...] = ()


def component_names(name: str, spelt_out: tuple[str, ...] = ()) -> ComponentNames:
    """The names agencies write for the component named ``name`` (none if its kind is not one
    of ``_KINDS``); ``spelt_out``: the component's aliases that spell out its leading
    abbreviation ("Federal Bureau of Investigation Boston Field Office"), whose prefix is also
    used in place of the abbreviation in each named form."""
    for kind in _KINDS:
        match = kind.pattern.match(name)
        if match is None:
            continue
        values = {k: v or "" for k, v in match.groupdict().items()}
        named = [form.format(**values) for form in kind.named]
        named += [form.format(**values) for form in kind.bare if form not in _SHARED]
        abbreviation, _, rest = name.partition(" ")
        for alias in spelt_out:
            if alias.endswith(" " + rest) and alias != name:
                prefix = alias[:-len(rest) - 1]
                named += [prefix + form[len(abbreviation):] for form in named
                          if form.startswith(abbreviation + " ")]
                break
        bare = tuple(form.format(**values) for form in kind.bare if form in _SHARED)
        return ComponentNames(tuple(dict.fromkeys(n for n in named if n != name)), bare)
    return ComponentNames()
