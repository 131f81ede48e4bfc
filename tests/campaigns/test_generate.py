from palier.campaigns.generate import generate_participants
from palier.campaigns.models import Participation, SharedLevel


def test_generate(campaign):
    g = generate_participants(campaign, 200, seed=1)
    assert Participation.objects.filter(campaign=campaign).count() == 200
    assert SharedLevel.objects.filter(participation__campaign=campaign).count() == g.shared * 5
