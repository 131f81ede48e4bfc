"""Staff pages (being written)."""

from django.http import Http404


def organisations(request, *args, **kwargs):
    raise Http404


campaign_create = campaign_edit = campaign_qr = organisations
