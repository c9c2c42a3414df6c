# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/docs_site.py: the guides, the index page and the conf.py additions of the docs site."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import zlib

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, 'tools', name + '.py'))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


docs_site = _load('docs_site')

REPO_URL = 'https://github.com/d2l-brightspace/ansible-collection'
KWARGS = {
    'collection_doc': '../collections/d2l/brightspace',
    'repo_url': REPO_URL,
    'roles': {'course_provision', 'lr_publish'},
    'plugins': {'d2l_course_module', 'd2l_catalog_module', 'courses_inventory', 'course_provision_role', 'lr_publish_role'},
}


@pytest.mark.parametrize('target, expected', [
    # inside docs/: left to Sphinx (another guide, an anchor), as are URLs and absolute paths
    ('jobs.md', 'jobs.md'),
    ('authentication.md#service-users-server-to-server', 'authentication.md#service-users-server-to-server'),
    ('#requirements', '#requirements'),
    ('./img/x.png', './img/x.png'),
    ('https://docs.ansible.com/', 'https://docs.ansible.com/'),
    ('mailto:x@example.org', 'mailto:x@example.org'),
    ('/abs/path', '/abs/path'),
    # a role's README: its page in the reference
    ('../roles/course_provision/README.md', '../collections/d2l/brightspace/course_provision_role.rst'),
    ('../roles/lr_publish', '../collections/d2l/brightspace/lr_publish_role.rst'),
    ('../roles/course_provision/README.md#vars', '../collections/d2l/brightspace/course_provision_role.rst#vars'),
    # a plugin's source: its page (an action plugin documents the module of its name)
    ('../plugins/modules/d2l_course.py', '../collections/d2l/brightspace/d2l_course_module.rst'),
    ('../plugins/action/d2l_catalog.py', '../collections/d2l/brightspace/d2l_catalog_module.rst'),
    ('../plugins/inventory/courses.py', '../collections/d2l/brightspace/courses_inventory.rst'),
    # anything else outside docs/: the file in the repository
    ('../tests/emulator/README.md', REPO_URL + '/blob/main/tests/emulator/README.md'),
    ('../tests/emulator/README.md#faults', REPO_URL + '/blob/main/tests/emulator/README.md#faults'),
    ('../roles/unknown/README.md', REPO_URL + '/blob/main/roles/unknown/README.md'),
    ('../roles/course_provision/tasks/main.yml', REPO_URL + '/blob/main/roles/course_provision/tasks/main.yml'),
    ('../plugins/module_utils/client.py', REPO_URL + '/blob/main/plugins/module_utils/client.py'),
    ('../plugins/modules/gone.py', REPO_URL + '/blob/main/plugins/modules/gone.py'),
    ('<../galaxy.yml>', REPO_URL + '/blob/main/galaxy.yml'),
])
def test_rewrite_target(target, expected):
    assert docs_site.rewrite_target(target, **KWARGS) == expected


def test_a_link_out_of_the_repository_is_an_error():
    with pytest.raises(docs_site.SiteError, match='leaves the repository'):
        docs_site.rewrite_target('../../elsewhere.md', **KWARGS)


def test_rewrite_links_outside_fenced_code_only():
    text = '\n'.join([
        '# Guide',
        'See [the role\'s README](../roles/course_provision/README.md) and [jobs](jobs.md),',
        '[the emulator',
        '](../tests/emulator/README.md#run).',
        '',
        '```markdown',
        '[not a link](../roles/course_provision/README.md)',
        '```',
        '',
        '~~~~',
        '```',
        '[still code](../galaxy.yml)',
        '~~~~',
        '[ref]: ../galaxy.yml',
        '',
    ])
    assert docs_site.rewrite_links(text, functools.partial(docs_site.rewrite_target, **KWARGS)).splitlines() == [
        '# Guide',
        'See [the role\'s README](../collections/d2l/brightspace/course_provision_role.rst) and [jobs](jobs.md),',
        '[the emulator',
        '](%s/blob/main/tests/emulator/README.md#run).' % REPO_URL,
        '',
        '```markdown',
        '[not a link](../roles/course_provision/README.md)',
        '```',
        '',
        '~~~~',
        '```',
        '[still code](../galaxy.yml)',
        '~~~~',
        '[ref]: %s/blob/main/galaxy.yml' % REPO_URL,
    ]


def test_guide_names_in_reading_order_then_by_name(tmp_path):
    for name in ('zeta', 'authentication', 'alpha', 'getting-started'):
        (tmp_path / (name + '.md')).write_text('# x')
    (tmp_path / 'notes.txt').write_text('x')
    assert docs_site.guide_names(str(tmp_path)) == ['getting-started', 'authentication', 'alpha', 'zeta']


def test_every_guide_of_the_repository_is_named():
    names = docs_site.guide_names()
    assert sorted(names) == sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(REPO, 'docs'))
                                   if name.endswith('.md'))
    assert names[0] == 'getting-started'


def test_index_lists_every_guide_in_a_toctree():
    text = docs_site.index_text(title='The x.y collection', description='Modules\n  and roles.', collection='x.y',
                                names=['getting-started', 'jobs'])
    assert 'The x.y collection\n==================\n' in text
    assert 'Modules and roles.' in text
    assert ':caption: Guides\n\n   guides/getting-started\n   guides/jobs\n' in text
    assert ':ref:`plugins_in_x.y`' in text


def test_inventory_is_a_sphinx_inventory_of_the_ansible_targets():
    entries = docs_site.inventory_entries()
    names = {entry[0]: entry for entry in entries}
    assert names['common_return_values'][1:3] == ('std:label', 'reference_appendices/common_return_values.html#common-return-values')
    assert names['ansible_collections.ansible.builtin.get_url_module'][1:3] == (
        'std:label', 'collections/ansible/builtin/get_url_module.html#ansible-collections-ansible-builtin-get-url-module')
    assert names['ANSIBLE_CACHE_PLUGIN_TIMEOUT'][1:3] == ('std:envvar', 'reference_appendices/config.html#envvar-ansible-cache-plugin-timeout')

    data = docs_site.inventory_bytes([('a_label', 'std:label', 'x.html#a-label', 'A title'), ('ENV', 'std:envvar', 'c.html#envvar-env', '-')])
    header, _separator, body = data.partition(b'zlib.\n')
    assert header.startswith(b'# Sphinx inventory version 2\n')
    assert zlib.decompress(body).decode() == 'a_label std:label -1 x.html#a-label A title\nENV std:envvar -1 c.html#envvar-env -\n'


def test_inventory_reads_back_in_sphinx():
    inventory = pytest.importorskip('sphinx.util.inventory')
    data = docs_site.inventory_bytes([('a_label', 'std:label', 'x.html#a-label', 'A title')])
    loaded = inventory.InventoryFile.loads(data, uri='https://docs.example.org/')
    item = loaded.data['std:label']['a_label'] if hasattr(loaded, 'data') else loaded['std:label']['a_label']
    uri = item.uri if hasattr(item, 'uri') else item[2]
    assert uri == 'https://docs.example.org/x.html#a-label'


def test_main_lays_out_the_site(tmp_path, capsys):
    site = tmp_path / 'site'
    reference = site / 'rst' / 'collections' / 'd2l' / 'brightspace'
    reference.mkdir(parents=True)
    for page in ('d2l_course_module', 'course_provision_role', 'ep_migrate_role', 'lr_publish_role', 'index'):
        (reference / (page + '.rst')).write_text('x')
    (site / 'conf.py').write_text("extensions = ['sphinx_antsibull_ext']\n")

    assert docs_site.main([str(site)]) == 0
    assert 'guides' in capsys.readouterr().out

    names = docs_site.guide_names()
    assert sorted(os.listdir(site / 'rst' / 'guides')) == sorted(name + '.md' for name in names)
    started = (site / 'rst' / 'guides' / 'getting-started.md').read_text()
    assert '../roles/' not in started
    assert '(../collections/d2l/brightspace/course_provision_role.rst)' in started
    index = (site / 'rst' / 'index.rst').read_text()
    for name in names:
        assert '   guides/%s\n' % name in index

    namespace = {}
    exec((site / 'conf.py').read_text(), namespace)  # pylint: disable=exec-used
    assert namespace['extensions'] == ['sphinx_antsibull_ext', 'myst_parser']
    assert namespace['intersphinx_mapping'] == {
        'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', str(site / 'ansible_devel.inv'))}
    assert (site / 'ansible_devel.inv').read_bytes().startswith(b'# Sphinx inventory version 2\n')


def test_main_needs_the_antsibull_docs_output(tmp_path):
    with pytest.raises(docs_site.SiteError, match='run antsibull-docs sphinx-init and collection first'):
        docs_site.main([str(tmp_path)])
