"""Learner pages (being written)."""

from django.http import Http404


def my_campaigns(request, *args, **kwargs):
    raise Http404


join = participation = sharing = my_campaigns
