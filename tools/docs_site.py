#!/usr/bin/env python
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lay the guides into the Sphinx site that ``make docs`` builds (between antsibull-docs and Sphinx).

``make docs`` first lets ``antsibull-docs sphinx-init`` write the scaffolding (conf.py,
antsibull-docs.cfg, ...) into SITE (tests/output/docs/) and ``antsibull-docs collection`` the
module, plugin and role reference into SITE/rst/collections/. This script then:

1. copies every guide, docs/*.md, to SITE/rst/guides/ (Markdown, read by myst-parser). A link
   that leaves docs/ is rewritten: ``../roles/<role>/README.md`` and ``../plugins/<type>/<name>.py``
   point at that role's or plugin's page in the site, anything else at the file in the
   repository (galaxy.yml's ``repository``), so that no link is left dangling;
2. writes SITE/rst/index.rst, the site's root: every guide in its navigation (README's reading
   order first, then any other guide by name), then the collection reference;
3. appends the project's settings to SITE/conf.py (myst-parser, heading anchors, the theme's
   navigation, intersphinx limited to one local inventory: Sphinx fetches nothing);
4. writes that inventory, SITE/ansible_devel.inv: the docs.ansible.com targets that the
   generated reference links to (the common return values, the configuration settings and their
   environment variables, ansible.builtin's modules), so that those links resolve offline.

Usage: .venv/bin/python tools/docs_site.py tests/output/docs
"""

from __future__ import annotations

import argparse
import functools
import glob
import os
import posixpath
import re
import sys
import zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(REPO, 'docs')

# The order README's "Documentation" list gives; a guide not named here comes after, by name.
GUIDE_ORDER = (
    'getting-started', 'authentication', 'rate-limits-and-retries', 'files-and-packages', 'catalog',
    'jobs', 'emulator', 'awx', 'architecture', 'development', 'performance',
)

ANSIBLE_DOCS_URL = 'https://docs.ansible.com/projects/ansible/devel/'
INVENTORY_NAME = 'ansible_devel.inv'

# Labels of the Ansible docsite that antsibull-docs' output refers to: (label, page#anchor, title).
# When sphinx-build fails with "undefined label: 'x'" for another label of docs.ansible.com, add it here.
ANSIBLE_LABELS = (
    ('common_return_values', 'reference_appendices/common_return_values.html#common-return-values',
     'Return Values'),
    ('action_plugins', 'plugins/action.html#action-plugins', 'Action plugins'),
    ('ansible_configuration_settings', 'reference_appendices/config.html#ansible-configuration-settings',
     'Ansible Configuration Settings'),
)

CONF_ADDITIONS = '''

# ---------------------------------------------------------------------------------------------
# Added by tools/docs_site.py (make docs): the guides, docs/*.md, are Markdown (myst-parser).
extensions.append('myst_parser')  # noqa: F821 (defined above, by antsibull-docs sphinx-init)
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
# GitHub's anchors for headings (links such as authentication.md#service-users-server-to-server)
myst_heading_anchors = 4
html_title = %(title)r
html_theme_options = {'collapse_navigation': False, 'navigation_depth': 3}
# Nothing is fetched: the only inventory is a local one that tools/docs_site.py writes.
intersphinx_mapping = {'ansible_devel': (%(ansible_url)r, %(inventory)r)}
'''

INDEX_TEMPLATE = '''\
.. Written by tools/docs_site.py (make docs).

.. _docsite_root_index:

%(title_rule)s
%(title)s
%(title_rule)s

%(description)s

Start with :doc:`guides/getting-started`; the reference of every module, plugin and role is
under :ref:`plugins_in_%(collection)s`.

.. toctree::
   :maxdepth: 1
   :caption: Guides

%(guides)s

.. toctree::
   :maxdepth: 2
   :caption: Collections

   collections/index

.. toctree::
   :maxdepth: 1
   :caption: Plugin indexes
   :glob:

   collections/index_*

.. toctree::
   :maxdepth: 1
   :caption: Reference indexes

   collections/environment_variables
'''

# A Markdown inline link's target: ``](target`` up to whitespace or ``)``.
LINK_TARGET = re.compile(r'\]\((?P<target><[^>]*>|[^)\s]+)')
# A reference definition: ``[label]: target``.
LINK_DEFINITION = re.compile(r'^(?P<lead> {0,3}\[[^\]]+\]:[ \t]*)(?P<target>\S+)', re.M)
FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,})')
SCHEME = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:')


class SiteError(Exception):
    pass


def galaxy() -> dict:
    import yaml  # pylint: disable=import-outside-toplevel  # from ansible-core's venv

    with open(os.path.join(REPO, 'galaxy.yml'), encoding='utf-8') as galaxy_file:
        return yaml.safe_load(galaxy_file)


def guide_names(docs_dir: str = DOCS) -> list[str]:
    """The guides (docs/*.md, without .md): GUIDE_ORDER first, then the others by name."""
    names = sorted(os.path.splitext(os.path.basename(path))[0] for path in glob.glob(os.path.join(docs_dir, '*.md')))
    ordered = [name for name in GUIDE_ORDER if name in names]
    return ordered + [name for name in names if name not in ordered]


def split_fragment(target: str) -> tuple[str, str]:
    path, sep, fragment = target.partition('#')
    return path, sep + fragment


def rewrite_target(target: str, *, collection_doc: str, repo_url: str, roles: set[str], plugins: set[str]) -> str:
    """Where a guide's link goes in the site.

    ``collection_doc`` is the collection's reference directory relative to the guides
    (``../collections/d2l/brightspace``); ``plugins`` holds ``<name>_<type>`` page names
    (``d2l_course_module``, ``courses_inventory``). Links that stay inside docs/ (another guide,
    an anchor), absolute paths and URLs are returned unchanged.
    """
    bare = target[1:-1] if target.startswith('<') and target.endswith('>') else target
    if not bare or bare.startswith(('#', '/')) or SCHEME.match(bare):
        return target
    path, fragment = split_fragment(bare)
    repo_path = posixpath.normpath(posixpath.join('docs', path))
    if repo_path == 'docs' or repo_path.startswith('docs/'):
        return target
    parts = repo_path.split('/')
    if parts[0] == 'roles' and len(parts) >= 2 and parts[1] in roles and (len(parts) == 2 or parts[2:] == ['README.md']):
        return '%s/%s_role.rst%s' % (collection_doc, parts[1], fragment)
    if parts[0] == 'plugins' and len(parts) == 3 and parts[2].endswith('.py'):
        plugin_type = 'module' if parts[1] in ('modules', 'action') else parts[1]
        page = '%s_%s' % (parts[2][:-3], plugin_type)
        if page in plugins:
            return '%s/%s.rst%s' % (collection_doc, page, fragment)
    if repo_path.startswith('../'):
        raise SiteError('link %r leaves the repository' % target)
    return '%s/blob/main/%s%s' % (repo_url.rstrip('/'), repo_path, fragment)


def rewrite_links(text: str, target_of) -> str:
    """Rewrite the link targets of a Markdown text, outside fenced code, with target_of(target)."""
    out = []
    fence = None
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * len(match.group(1))
        elif fence is not None:
            if match and match.group(1).startswith(fence) and not line.strip()[len(match.group(1)):]:
                fence = None
        else:
            line = LINK_TARGET.sub(lambda m: '](' + target_of(m.group('target')), line)
            line = LINK_DEFINITION.sub(lambda m: m.group('lead') + target_of(m.group('target')), line)
        out.append(line)
    return ''.join(out)


def write_guides(rst_dir: str, names: list[str], target_of) -> None:
    guides_dir = os.path.join(rst_dir, 'guides')
    os.makedirs(guides_dir, exist_ok=True)
    for name in names:
        with open(os.path.join(DOCS, name + '.md'), encoding='utf-8') as source:
            text = source.read()
        with open(os.path.join(guides_dir, name + '.md'), 'w', encoding='utf-8') as target:
            target.write(rewrite_links(text, target_of))


def index_text(*, title: str, description: str, collection: str, names: list[str]) -> str:
    return INDEX_TEMPLATE % {
        'title': title,
        'title_rule': '=' * len(title),
        'description': ' '.join(description.split()),
        'collection': collection,
        'guides': '\n'.join('   guides/%s' % name for name in names),
    }


def inventory_entries() -> list[tuple[str, str, str, str]]:
    """(name, domain:role, uri, display name) of the Ansible docsite targets, for the inventory."""
    import ansible  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel

    entries = [(label, 'std:label', uri, title) for label, uri, title in ANSIBLE_LABELS]
    ansible_dir = os.path.dirname(ansible.__file__)
    for path in sorted(glob.glob(os.path.join(ansible_dir, 'modules', '*.py'))):
        module = os.path.splitext(os.path.basename(path))[0]
        if module.startswith('_'):
            continue
        label = 'ansible_collections.ansible.builtin.%s_module' % module
        anchor = label.replace('.', '-').replace('_', '-')
        entries.append((label, 'std:label', 'collections/ansible/builtin/%s_module.html#%s' % (module, anchor),
                        'ansible.builtin.%s module' % module))
    with open(os.path.join(ansible_dir, 'config', 'base.yml'), encoding='utf-8') as base_file:
        settings = yaml.safe_load(base_file)
    envvars = sorted({env['name'] for setting in settings.values() for env in (setting.get('env') or []) if 'name' in env})
    for name in envvars:
        anchor = 'envvar-' + name.lower().replace('_', '-')
        entries.append((name, 'std:envvar', 'reference_appendices/config.html#' + anchor, '-'))
    return entries


def inventory_bytes(entries: list[tuple[str, str, str, str]]) -> bytes:
    """A Sphinx objects.inv (version 2) holding the given entries."""
    header = ('# Sphinx inventory version 2\n'
              '# Project: Ansible (the targets make docs links to)\n'
              '# Version: devel\n'
              '# The remainder of this file is compressed using zlib.\n')
    body = ''.join('%s %s -1 %s %s\n' % (name, role, uri, title) for name, role, uri, title in entries)
    return header.encode('utf-8') + zlib.compress(body.encode('utf-8'))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('site', help='the directory antsibull-docs sphinx-init wrote (it holds conf.py and rst/)')
    args = parser.parse_args(argv)

    site = os.path.abspath(args.site)
    rst_dir = os.path.join(site, 'rst')
    conf = os.path.join(site, 'conf.py')
    meta = galaxy()
    collection = '%s.%s' % (meta['namespace'], meta['name'])
    reference = os.path.join(rst_dir, 'collections', meta['namespace'], meta['name'])
    if not os.path.isfile(conf) or not os.path.isdir(reference):
        raise SiteError('%s has no conf.py or no %s: run antsibull-docs sphinx-init and collection first'
                        % (site, os.path.relpath(reference, site)))

    pages = {os.path.splitext(name)[0] for name in os.listdir(reference) if name.endswith('.rst')}
    roles = {page[:-len('_role')] for page in pages if page.endswith('_role')}
    names = guide_names()
    write_guides(rst_dir, names, functools.partial(
        rewrite_target, collection_doc='../collections/%s/%s' % (meta['namespace'], meta['name']),
        repo_url=meta['repository'], roles=roles, plugins=pages))

    with open(os.path.join(rst_dir, 'index.rst'), 'w', encoding='utf-8') as index:
        index.write(index_text(title='The %s collection' % collection, description=meta['description'],
                               collection=collection, names=names))

    with open(conf, 'a', encoding='utf-8') as conf_file:
        conf_file.write(CONF_ADDITIONS % {'title': '%s documentation' % collection, 'ansible_url': ANSIBLE_DOCS_URL,
                                          'inventory': os.path.join(site, INVENTORY_NAME)})

    entries = inventory_entries()
    with open(os.path.join(site, INVENTORY_NAME), 'wb') as inventory:
        inventory.write(inventory_bytes(entries))

    print('docs: %d guides in %s, index.rst, conf.py additions, %s (%d Ansible docsite targets)'
          % (len(names), os.path.relpath(os.path.join(rst_dir, 'guides'), REPO), INVENTORY_NAME, len(entries)))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except SiteError as error:
        print('docs: %s' % error, file=sys.stderr)
        sys.exit(1)
