"""French elision of "de" before a name: « Campagnes d'IFSI du Val », « Campagnes de Nantes ».

Names are typed by people (organisations, learners), so the template cannot know whether one
starts with a vowel. `{{ name|de }}` writes the preposition with the name in French, and the
name alone in any other language, whose translation places its own word ("Campaigns of …").
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

register = template.Library()

# Vowels that take "d'" before them. "h" and "y" are left out on purpose: "de Hérault"
# (aspirated h) and "d'Hôpital" (mute h), "de Yannick" and "d'Yves" cannot be told apart
# from the spelling, and "de" is never wrong enough to mislead.
ELIDING_INITIALS = frozenset("aeiouàâäéèêëîïôöùûüæœAEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜÆŒ")


def with_de(name: object) -> str:
    """`name` preceded by "de" or "d'" (French), or `name` alone in other languages."""
    text = str(name).strip()
    if not (get_language() or "fr").startswith("fr"):
        return text
    if text[:1] in ELIDING_INITIALS:
        return f"d'{text}"
    return f"de {text}"


@register.filter(name="de")
def de_filter(name: object) -> str:
    return with_de(name)
