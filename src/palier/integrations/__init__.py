"""Palier's links with the tools around it: LTI 1.3 for learning platforms, OpenID Connect
sign-in, and xAPI learning records. Each integration is a Django app of its own in this
package, switched on by settings, and tested against a real implementation of the other side.
"""
