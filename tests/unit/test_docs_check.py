# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/docs_check.py, the browser check of the docs site (make docs).

Its decisions (check_site and what it calls) are tested on a tiny fake site given as the facts a
browser reports, with no browser. The tests that drive Chromium through Playwright on a fake site
written to disk are skipped where /usr/bin/chromium or Playwright is missing.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO, 'tools', name + '.py'))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


docs_check = _load('docs_check')
Page = docs_check.Page

ORIGIN = 'http://127.0.0.1:8000'
GUIDES = {'docs/one.md': 'guides/one.html', 'docs/two.md': 'guides/two.html'}
TEXT = 'Some words about the collection, long enough to count as the content of a real page.'


def url(path):
    return '%s/%s' % (ORIGIN, path)


def page(path, *, links=(), ids=(), nav=None, text=TEXT, headings=1, status=200, errors=(), search=None):
    return Page(path=path, status=status, title=path, text=text, headings=headings, ids=frozenset(ids),
                links=tuple(links), nav=nav, errors=tuple(errors), search=search)


def good_site():
    nav = ((url('guides/one.html'), 'One'), (url('guides/two.html#part'), 'Two, a part'), (url('index.html'), 'Home'))
    return {
        'index.html': page('index.html', nav=nav, links=[url('guides/one.html'), url('guides/two.html#part'),
                                                         url('_static/logo.svg'), 'https://docs.ansible.com/x.html#y',
                                                         'mailto:someone@example.org', url('')]),
        'guides/one.html': page('guides/one.html', ids={'top'}, links=[url('guides/one.html#top'), url('index.html')]),
        'guides/two.html': page('guides/two.html', ids={'part', 'a b'}, links=[url('guides/two.html#a%20b')]),
    }


def statuses(**known):
    asked = []

    def status_of(path):
        asked.append(path)
        return known.get(path, 404)
    status_of.asked = asked
    return status_of


def check(pages, status_of=None, guides=None, expected=None):
    return docs_check.check_site(pages, origin=ORIGIN, status_of=status_of or statuses(**{'_static/logo.svg': 200}),
                                 guides=GUIDES if guides is None else guides, expected=expected or {})


def test_a_good_site_has_no_problem_and_counts_its_internal_links():
    status_of = statuses(**{'_static/logo.svg': 200})
    result = check(good_site(), status_of)
    assert result.problems == []
    assert result.pages == 3
    # the external and mailto links are not counted; '' is index.html
    assert result.links == 7
    assert result.targets == 6
    # pages the browser visited are not asked again; other files once
    assert status_of.asked == ['_static/logo.svg']


def test_a_link_to_a_missing_page_is_broken():
    pages = good_site()
    pages['guides/one.html'] = page('guides/one.html', ids={'top'}, links=[url('guides/gone.html'), url('guides/gone.html')])
    result = check(pages)
    assert result.problems == ['broken link to guides/gone.html (answers HTTP 404), from guides/one.html']


def test_a_link_to_a_missing_anchor_is_broken():
    pages = good_site()
    pages['guides/one.html'] = page('guides/one.html', ids={'top'}, links=[url('guides/two.html#nowhere'), url('guides/one.html#top')])
    result = check(pages)
    assert result.problems == ["broken link to guides/two.html#nowhere (no element with id 'nowhere' on guides/two.html),"
                               " from guides/one.html"]


def test_a_broken_link_on_many_pages_is_one_problem():
    pages = good_site()
    for number in range(5):
        path = 'guides/page%d.html' % number
        pages[path] = page(path, links=[url('guides/gone.html#x'), url('guides/gone.html#x'), url('guides/one.html')])
    assert check(pages).problems == ['broken link to guides/gone.html#x (answers HTTP 404), from guides/page0.html,'
                                     ' guides/page1.html, guides/page2.html and 2 more']


def test_a_page_that_answers_an_error_is_a_problem_and_so_are_links_to_it():
    pages = good_site()
    pages['guides/two.html'] = page('guides/two.html', status=404)
    problems = check(pages).problems
    assert 'guides/two.html: answers HTTP 404' in problems
    assert 'broken link to guides/two.html#part (answers HTTP 404), from index.html' in problems


def test_an_empty_page_is_a_problem():
    pages = good_site()
    pages['guides/one.html'] = page('guides/one.html', ids={'top'}, text='Title', headings=0)
    problems = check(pages).problems
    assert problems == ['guides/one.html: empty page (5 characters of main content, fewer than %d)' % docs_check.MIN_TEXT,
                        'guides/one.html: empty page (no heading in the main content)']


def test_the_search_page_may_be_empty():
    pages = good_site()
    pages['search.html'] = page('search.html', text='', headings=0)
    assert check(pages).problems == []


def test_the_search_page_must_find_the_module_page():
    module_page = docs_check.SEARCH[2]
    pages = good_site()
    pages['search.html'] = page('search.html', text='', headings=0, search=(url(module_page), url('guides/one.html')))
    assert check(pages, statuses(**{'_static/logo.svg': 200, module_page: 200})).problems == []
    pages['search.html'].search = (url('guides/one.html'),)
    assert check(pages).problems == ['search.html?q=d2l_course: %s is not among its 1 results' % module_page]
    pages['search.html'].search = None  # not asked: nothing to say
    assert check(pages).problems == []


def test_a_guide_missing_from_the_navigation_is_a_problem():
    pages = good_site()
    pages['index.html'].nav = ((url('guides/one.html'), 'One'),)
    # linked from the page's text, not from the navigation: still missing
    assert url('guides/two.html#part') in pages['index.html'].links
    assert check(pages).problems == ['index.html: guide docs/two.md (guides/two.html) is missing from the navigation']


def test_an_index_page_without_navigation_is_a_problem():
    pages = good_site()
    pages['index.html'].nav = None
    assert check(pages).problems == ['index.html: no navigation (sidebar) found']


def test_no_index_page_is_a_problem():
    pages = good_site()
    del pages['index.html']
    assert 'index.html: no index page' in check(pages).problems


def test_a_missing_reference_page_is_a_problem():
    expected = {'plugins/modules/one.py': 'guides/one.html', 'roles/gone': 'collections/x/y/gone_role.html'}
    assert check(good_site(), expected=expected).problems == ['collections/x/y/gone_role.html: no page for roles/gone']


def test_script_errors_and_failed_loads_of_a_page_are_problems():
    pages = good_site()
    pages['guides/one.html'].errors = ('script error: boom', 'loads /_static/gone.css: HTTP 404')
    assert check(pages).problems == ['guides/one.html: script error: boom', 'guides/one.html: loads /_static/gone.css: HTTP 404']


@pytest.mark.parametrize('link, expected', [
    (url('a/b.html#c'), ('a/b.html', 'c')),
    (url('a/'), ('a/index.html', '')),
    (ORIGIN, ('index.html', '')),
    (url('a%20b.html?q=1#x%20y'), ('a b.html', 'x y')),
    ('http://127.0.0.1:8001/a.html', None),
    ('https://docs.ansible.com/', None),
    ('mailto:x@example.org', None),
    ('javascript:void(0)', None),
])
def test_split_link(link, expected):
    assert docs_check.split_link(link, ORIGIN) == expected


def test_site_pages_lists_html_pages_index_first(tmp_path):
    for rel in ('index.html', 'a.html', 'guides/b.html', '_static/x.html', '_sources/y.html', 'objects.inv'):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text('x')
    assert docs_check.site_pages(str(tmp_path)) == ['index.html', 'a.html', 'guides/b.html']


def test_guide_pages(tmp_path):
    (tmp_path / 'getting-started.md').write_text('# x')
    (tmp_path / 'notes.txt').write_text('x')
    assert docs_check.guide_pages(str(tmp_path)) == {'docs/getting-started.md': 'guides/getting-started.html'}


def test_reference_pages_name_every_module_plugin_and_role():
    expected = docs_check.reference_pages(REPO)
    base = 'collections/d2l/brightspace/'
    assert expected['plugins/modules/d2l_course.py'] == base + 'd2l_course_module.html'
    assert expected['plugins/modules/d2l_catalog.py'] == base + 'd2l_catalog_module.html'
    assert expected['plugins/inventory/courses.py'] == base + 'courses_inventory.html'
    for role in ('course_provision', 'ep_migrate', 'lr_publish'):
        assert expected['roles/' + role] == base + role + '_role.html'
    modules = [name for name in os.listdir(os.path.join(REPO, 'plugins', 'modules')) if name.endswith('.py')]
    assert len([key for key in expected if key.startswith('plugins/modules/')]) == len(modules)


def test_the_server_answers_files_and_404(tmp_path):
    (tmp_path / 'index.html').write_text('<h1>x</h1>')
    (tmp_path / 'a b.txt').write_text('x')
    server = docs_check.serve(str(tmp_path))
    try:
        assert server.origin.startswith('http://127.0.0.1:')
        assert docs_check.http_status(server.origin, 'index.html') == 200
        assert docs_check.http_status(server.origin, 'a b.txt') == 200
        assert docs_check.http_status(server.origin, 'gone.html') == 404
    finally:
        server.stop()


# ---------------------------------------------------------------------------- in Chromium

def _browser_missing():
    if not os.access(docs_check.CHROMIUM, os.X_OK):
        return '%s is not installed (Debian: apt-get install chromium)' % docs_check.CHROMIUM
    if importlib.util.find_spec('playwright') is None:
        return 'playwright is not installed (requirements-dev.txt)'
    return None


needs_chromium = pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))

LAYOUT = '''<!DOCTYPE html>
<html><head><title>%(title)s</title></head><body>
<div class="wy-menu-vertical">%(nav)s</div>
<div role="main">%(main)s</div>
</body></html>
'''
WORDS = '<p>%s</p>' % TEXT


def write_site(root, pages):
    for rel, (nav, main) in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LAYOUT % {'title': rel, 'nav': nav, 'main': main}, encoding='utf-8')


def fake_site(root, *, nav_two=True, broken=False, empty=False):
    nav = '<a href="guides/one.html">One</a>' + ('<a href="guides/two.html">Two</a>' if nav_two else '')
    write_site(root, {
        'index.html': (nav, '<h1>Home</h1>' + WORDS + '<a href="guides/two.html#part">part</a><a href="guides/">guides</a>'),
        'guides/index.html': ('', '<h1>Guides</h1>' + WORDS + '<a href="../index.html">home</a>'),
        'guides/one.html': ('<a href="../index.html">Home</a>', '<h1>One</h1>' + WORDS
                            + ('<a href="gone.html">gone</a><a href="two.html#nowhere">nowhere</a>' if broken else '')),
        'guides/two.html': ('', ('<h1>Two</h1>' if not empty else '') + '<h2 id="part">Part</h2>' + (WORDS if not empty else '')),
    })


def browse_and_check(root, tmp_path):
    server = docs_check.serve(str(root))
    try:
        pages, shots = docs_check.browse(server.origin, str(root), str(tmp_path))
        result = docs_check.check_site(pages, origin=server.origin, guides=GUIDES, expected={},
                                       status_of=lambda path: docs_check.http_status(server.origin, path))
    finally:
        server.stop()
    return pages, shots, result


@needs_chromium
def test_chromium_reads_a_good_site(tmp_path):
    root = tmp_path / 'html'
    fake_site(root)
    pages, shots, result = browse_and_check(root, tmp_path)
    assert result.problems == []
    assert sorted(pages) == ['guides/index.html', 'guides/one.html', 'guides/two.html', 'index.html']
    assert pages['guides/two.html'].headings == 2
    assert 'part' in pages['guides/two.html'].ids
    assert [text for _href, text in pages['index.html'].nav] == ['One', 'Two']
    assert shots == [str(tmp_path / 'index.png')]  # the fake site has no d2l_course page
    with open(shots[0], 'rb') as shot:
        assert shot.read(8) == b'\x89PNG\r\n\x1a\n'


@needs_chromium
def test_chromium_finds_the_broken_links_the_empty_page_and_the_missing_guide(tmp_path):
    root = tmp_path / 'html'
    fake_site(root, nav_two=False, broken=True, empty=True)
    _pages, _shots, result = browse_and_check(root, tmp_path)
    assert result.problems == [
        'guides/two.html: empty page (4 characters of main content, fewer than %d)' % docs_check.MIN_TEXT,
        'broken link to guides/gone.html (answers HTTP 404), from guides/one.html',
        "broken link to guides/two.html#nowhere (no element with id 'nowhere' on guides/two.html), from guides/one.html",
        'index.html: guide docs/two.md (guides/two.html) is missing from the navigation',
    ]


@needs_chromium
def test_main_fails_with_a_list_of_problems(tmp_path, capsys):
    root = tmp_path / 'html'
    fake_site(root, broken=True)
    docs = tmp_path / 'docs'
    docs.mkdir()
    (docs / 'one.md').write_text('# One')
    assert docs_check.main([str(root), '--docs', str(docs), '--screenshots', str(tmp_path / 'shots')]) == 1
    err = capsys.readouterr().err
    assert 'docs check: FAILED' in err
    assert 'broken link to guides/gone.html (answers HTTP 404), from guides/one.html' in err
    # the fake site has none of the collection's reference pages, nor the module page to photograph
    assert 'no page for plugins/modules/d2l_course.py' in err
    assert 'collections/d2l/brightspace/d2l_course_module.html: no screenshot taken' in err
    assert (tmp_path / 'shots' / 'index.png').is_file()


def test_main_without_a_site_is_a_usage_error(tmp_path, capsys):
    assert docs_check.main([str(tmp_path)]) == 2
    assert 'has no index.html' in capsys.readouterr().err
