# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Connection and authentication options shared by every module.
    DOCUMENTATION = r"""
options:
  brightspace_url:
    description:
      - Base URL of the Brightspace service, the site's root, for example
        V(https://school.brightspace.com). A path, query, fragment or user name is refused
        before any request, and so is a host name no request could reach (an empty label, a label
        over 63 characters, whitespace or an invisible character). Credentials are only ever sent to this URL's origin and to
        O(token_url).
      - An C(http://) URL to a host other than this machine gets a warning, since credentials would
        travel in clear text.
      - If not set, the environment variable E(BRIGHTSPACE_URL) is used.
      - No connection option shares a name with a module's own option, so the base URL cannot be
        confused with, for example, the link of M(d2l.brightspace.d2l_artifact), whose option is
        called C(url).
    type: str
  access_token:
    description:
      - OAuth 2.0 access token, sent as a bearer token in the C(Authorization) header.
      - Takes precedence over every other credential.
      - If not set, the environment variable E(BRIGHTSPACE_ACCESS_TOKEN) is used.
    type: str
  refresh_token:
    description:
      - OAuth 2.0 refresh token, exchanged at O(token_url) with O(client_id) and O(client_secret).
      - Brightspace refresh tokens are single use and rotate on every refresh. The current one is
        kept in the O(token_cache) file shared by every task, so give the token you started with
        and the collection follows the rotation.
      - If not set, the environment variable E(BRIGHTSPACE_REFRESH_TOKEN) is used.
    type: str
  client_id:
    description:
      - OAuth 2.0 client id, of the app a O(refresh_token) was issued to, or of a service user's app
        (with O(private_key), O(key_id) and O(scope)).
      - If not set, the environment variable E(BRIGHTSPACE_CLIENT_ID) is used.
    type: str
  client_secret:
    description:
      - OAuth 2.0 client secret, used with O(refresh_token) only. Brightspace has no client-secret
        variant of the client credentials grant, so O(client_id) and O(client_secret) without a
        O(refresh_token) fail before any request; use a service user (O(private_key)).
      - If not set, the environment variable E(BRIGHTSPACE_CLIENT_SECRET) is used.
    type: str
  private_key:
    description:
      - "Service users (server-to-server): the private key of the service user's OAuth 2.0 app, an
        unencrypted RSA key in PEM, given as the PEM text itself or as the path of a PEM file. With
        O(client_id), O(key_id) and O(scope) the collection uses the client credentials grant with a
        private-key JWT client assertion (RFC 7523): RS256, C(kid) O(key_id), C(iss) and C(sub)
        O(client_id), C(aud) O(token_url), a five-minute C(exp) and a unique C(jti)."
      - The access token it returns is kept in O(token_cache) per client id and scope and reused by
        every task and fork until shortly before it expires; no refresh token is involved. This is
        the grant for unattended runs (AWX schedules, CI).
      - The app's public key must be published in the JWKS URL registered with the app.
      - Needs the Python libraries C(PyJWT) and C(cryptography).
      - If not set, the environment variable E(BRIGHTSPACE_PRIVATE_KEY) is used.
    type: str
  key_id:
    description:
      - Service users, the C(kid) of the public key of O(private_key) in the app's JWKS.
      - If not set, the environment variable E(BRIGHTSPACE_KEY_ID) is used.
    type: str
  token_url:
    description:
      - OAuth 2.0 token endpoint; also the audience (C(aud)) of a service user's client assertion.
      - A redirect from it is never followed (it would carry the credentials elsewhere).
      - If not set, the environment variable E(BRIGHTSPACE_TOKEN_URL) is used, and then
        V(https://auth.brightspace.com/core/connect/token).
    type: str
  scope:
    description:
      - Scopes requested from the token endpoint, space separated, for example V(core:*:*). Required
        for a service user (the scopes registered with its app, or fewer); optional with a refresh
        token (the authorization's scopes).
      - Each module's documentation lists the scopes it needs. Routes that D2L's scope table gives
        no specific scope accept only V(core:*:*).
      - If not set, the environment variable E(BRIGHTSPACE_SCOPE) is used.
    type: str
  token_cache:
    description:
      - File that keeps OAuth 2.0 tokens between tasks (mode 0600 in a 0700 directory, locked
        while a token is refreshed). Facts discovered once per run (API versions, org unit types)
        are kept beside it in C(discovery.json) for ten minutes, and the ids of course offerings
        found by code in C(ids.json) (checked on every use).
      - The directory must be private to the user running the module; a directory that group or
        others can reach (such as C(/tmp)) is refused with an error naming this option.
      - A path that cannot name a file (a directory, a path below a regular file, a NUL character)
        is refused before any request, whatever the credentials.
      - If not set, the environment variable E(BRIGHTSPACE_TOKEN_CACHE) is used, and then
        C(~/.cache/d2l.brightspace/tokens.json).
    type: path
  app_id:
    description:
      - ID-key authentication (legacy) application id.
      - If not set, the environment variable E(BRIGHTSPACE_APP_ID) is used.
    type: str
  app_key:
    description:
      - ID-key application key.
      - If not set, the environment variable E(BRIGHTSPACE_APP_KEY) is used.
    type: str
  user_id:
    description:
      - ID-key user id.
      - If not set, the environment variable E(BRIGHTSPACE_USER_ID) is used.
    type: str
  user_key:
    description:
      - ID-key user key.
      - If not set, the environment variable E(BRIGHTSPACE_USER_KEY) is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the service's TLS certificate.
      - If not set, the environment variable E(BRIGHTSPACE_VALIDATE_CERTS) is used, and then V(true).
    type: bool
  ca_path:
    description:
      - CA bundle used to verify the service's certificate, a file of PEM certificates, or a
        directory of hashed certificates (as C(openssl rehash) makes it). When certificates are
        validated, a missing or unreadable path, or a file without a PEM certificate, is refused
        before any request.
      - If not set, the environment variable E(BRIGHTSPACE_CA_PATH) is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response; a finite number above 0, at most 86400 (a day).
      - If not set, the environment variable E(BRIGHTSPACE_TIMEOUT) is used, and then V(30).
    type: float
  retry_budget:
    description:
      - Seconds a request may spend waiting and retrying after 429 (honouring C(Retry-After)),
        502, 503, 504 and connection errors. Requests that create something are never resent
        blindly; the module looks the resource up first. A finite number, V(0) for no retries, at
        most 31622400 (a year).
      - If not set, the environment variable E(BRIGHTSPACE_RETRY_BUDGET) is used, and then V(120).
    type: float
  api_versions:
    description:
      - "API version per product (V(lp), V(le), V(eP), V(lr)), for example C({lp: '1.47'})."
      - Products not listed use the latest version the service supports, discovered from
        C(GET /d2l/api/versions/).
    type: dict
notes:
  - "Credentials are tried in this order: O(access_token); O(refresh_token) with O(client_id) and
    O(client_secret); O(private_key) with O(client_id), O(key_id) and O(scope) (a service user);
    O(app_id), O(app_key), O(user_id) and O(user_key) (ID-key)."
  - Secrets (tokens, keys, client assertions, signatures) never appear in results, diffs or
    messages, even when the service echoes one back.
  - 'Run modules on the controller (C(hosts: localhost) or C(delegate_to: localhost)) with
    C(ansible_python_interpreter: "{{ ansible_playbook_python }}"), so they find C(requests).'
requirements:
  - requests
  - requests-toolbelt
  - PyJWT and cryptography (service users only)
"""
