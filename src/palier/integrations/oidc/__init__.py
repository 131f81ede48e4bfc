"""Sign-in with OpenID Connect: the national professional login (Pro Santé Connect) configured
by settings, and organisations' institutional single sign-on for students, through one client:
authorization code flow with PKCE, state and nonce, ID token checked against the provider's
published keys, accounts linked by (issuer, subject)."""
