"""Palier as an LTI 1.3 Advantage tool: learning platforms (Moodle and the like) launch the
positioning test or a campaign, receive the score back (Assignment and Grade Services) and
hand over their course roster (Names and Role Provisioning Services). Off unless Palier's tool
key is configured (PALIER_LTI_KEY)."""
