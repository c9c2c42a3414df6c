#!/usr/bin/env python
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the built docs site in a real browser (the last step of ``make docs``).

1. serves the HTML directory over HTTP on a free loopback port (http.server, in a thread);
2. opens it in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; nothing is
   downloaded, and any request that is not for the local server is aborted);
3. takes a screenshot (PNG) of the index page and of the d2l_course module page;
4. visits every HTML page of the site and reads the rendered DOM: fails when a page's main content
   is empty (too little text, or no heading), when an internal link is broken (the target answers
   404, or its #fragment names no element on the target page), when a page loads a local file
   that answers an error, or when a script on a page throws; the search page, empty until asked,
   must find the d2l_course module page for "d2l_course";
5. fails when a guide (docs/*.md) is missing from the index page's navigation (the sidebar), or an
   expected reference page is missing (one per module, plugin and role of the collection).

Exits 0 with a one-line summary, 1 with the list of problems (2 on a usage error).

Usage: .venv/bin/python tools/docs_check.py tests/output/docs/html [--screenshots DIR]

The logic that decides what is a problem (check_site and what it calls) works on plain data, the
DOM facts the browser reports for each page, so that the unit tests (tests/unit/test_docs_check.py)
exercise it without a browser.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import glob
import http.server
import os
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = (
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
)
VIEWPORT = {'width': 1280, 'height': 1200}
PAGE_TIMEOUT_MS = 30000

# A page whose main content has less text than this, or no heading, is "empty".
MIN_TEXT = 40
# Where the site keeps the guides, docs/*.md (see tools/docs_site.py).
GUIDES_DIR = 'guides'
# The pages to photograph: (file name of the PNG, page).
SCREENSHOTS = (
    ('index.png', 'index.html'),
    ('d2l_course_module.png', 'collections/d2l/brightspace/d2l_course_module.html'),
)
# Pages that are filled by JavaScript from a query: not held to the emptiness rule. The search
# page is checked by a search instead: (page, query, a page that must be among the results).
DYNAMIC_PAGES = ('search.html',)
SEARCH = ('search.html', 'd2l_course', 'collections/d2l/brightspace/d2l_course_module.html')

# Sphinx's search (searchtools.js) has shown every result once it retitles its results "Search Results".
SEARCH_DONE_JS = """() => {
  const title = document.querySelector('#search-results h2');
  return title !== null && title.innerText.trim() === 'Search Results';
}"""

# What the browser reads on each page. The main content and the sidebar are found with the
# selectors of the Sphinx themes (sphinx_ansible_theme / sphinx_rtd_theme, basic, alabaster).
EXTRACT_JS = '''() => {
  const main = document.querySelector('[itemprop="articleBody"]') || document.querySelector('div[role="main"]')
    || document.querySelector('main') || document.querySelector('div.body') || document.body;
  const nav = document.querySelector('.wy-menu-vertical') || document.querySelector('.sphinxsidebar')
    || document.querySelector('nav');
  const ids = [];
  for (const element of document.querySelectorAll('[id]')) ids.push(element.id);
  for (const element of document.querySelectorAll('a[name]')) ids.push(element.getAttribute('name'));
  return {
    title: document.title,
    text: (main.innerText || '').trim(),
    headings: main.querySelectorAll('h1, h2, h3').length,
    ids: ids,
    links: Array.from(document.querySelectorAll('a[href]'), (a) => a.href),
    nav: nav === null ? null : Array.from(nav.querySelectorAll('a[href]'), (a) => ({href: a.href, text: a.innerText.trim()})),
  };
}'''


@dataclasses.dataclass
class Page:
    """What the browser saw on one page (paths are relative to the site root, with '/')."""

    path: str
    status: int
    title: str = ''
    text: str = ''
    headings: int = 0
    ids: frozenset = frozenset()
    links: tuple = ()
    nav: tuple | None = None  # (href, text) of the sidebar's links; None: no sidebar found
    errors: tuple = ()  # scripts that threw, local files that failed to load
    search: tuple | None = None  # the search page: the links it gave for SEARCH's query; None: not asked


@dataclasses.dataclass
class Result:
    problems: list
    pages: int
    links: int
    targets: int


def site_pages(html_dir: str) -> list[str]:
    """Every HTML page under html_dir, relative, with '/'; index.html first."""
    pages = []
    for path in glob.glob(os.path.join(html_dir, '**', '*.html'), recursive=True):
        rel = os.path.relpath(path, html_dir).replace(os.sep, '/')
        if rel.split('/', maxsplit=1)[0] in ('_static', '_sources', '_images', '_downloads'):
            continue
        pages.append(rel)
    return sorted(pages, key=lambda rel: (rel != 'index.html', rel))


def guide_pages(docs_dir: str) -> dict[str, str]:
    """docs/<name>.md -> the page the site renders it to."""
    return {'docs/' + os.path.basename(path): '%s/%s.html' % (GUIDES_DIR, os.path.splitext(os.path.basename(path))[0])
            for path in sorted(glob.glob(os.path.join(docs_dir, '*.md')))}


def reference_pages(repo: str = REPO) -> dict[str, str]:
    """What the reference must document -> its page: each module, inventory (etc.) plugin, role."""
    import yaml  # pylint: disable=import-outside-toplevel  # from ansible-core's venv

    with open(os.path.join(repo, 'galaxy.yml'), encoding='utf-8') as galaxy_file:
        meta = yaml.safe_load(galaxy_file)
    base = 'collections/%s/%s/' % (meta['namespace'], meta['name'])
    expected = {}
    # (filter and test plugin files hold several plugins each: not listed)
    plugin_types = {'modules': 'module', 'inventory': 'inventory', 'lookup': 'lookup', 'callback': 'callback',
                    'connection': 'connection'}
    for directory, plugin_type in plugin_types.items():
        for path in sorted(glob.glob(os.path.join(repo, 'plugins', directory, '*.py'))):
            name = os.path.splitext(os.path.basename(path))[0]
            if name != '__init__' and not name.startswith('_'):
                expected['plugins/%s/%s.py' % (directory, name)] = '%s%s_%s.html' % (base, name, plugin_type)
    # every role (antsibull-docs documents a role from its meta/argument_specs.yml)
    for path in sorted(glob.glob(os.path.join(repo, 'roles', '*', ''))):
        role = os.path.basename(os.path.dirname(path))
        expected['roles/%s' % role] = '%s%s_role.html' % (base, role)
    return expected


def split_link(url: str, origin: str) -> tuple[str, str] | None:
    """(site path, fragment) of a link to the site at origin; None for a link elsewhere.

    A directory stands for its index.html; the query is dropped; both parts are unquoted.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ('http', 'https') or '%s://%s' % (parts.scheme, parts.netloc) != origin:
        return None
    path = urllib.parse.unquote(parts.path).lstrip('/')
    if path == '' or path.endswith('/'):
        path += 'index.html'
    return path, urllib.parse.unquote(parts.fragment)


def check_site(pages: dict[str, Page], *, origin: str, status_of, guides: dict[str, str],
               expected: dict[str, str], index: str = 'index.html') -> Result:
    """The problems of a site, from what the browser saw on each of its pages.

    ``status_of(path)`` answers the HTTP status of a site path that is not among ``pages`` (a
    file the pages link to: an image, a download, a page that does not exist).
    """
    problems = []
    statuses: dict[str, int] = {}
    checked = 0
    targets = set()
    broken: dict[tuple[str, str], tuple[str, list]] = {}  # (path, fragment) -> (why, pages that link to it)

    for path, page in sorted(pages.items()):
        if page.status != 200:
            problems.append('%s: answers HTTP %d' % (path, page.status))
            continue
        for error in page.errors:
            problems.append('%s: %s' % (path, error))
        if path not in DYNAMIC_PAGES:
            if len(page.text) < MIN_TEXT:
                problems.append('%s: empty page (%d characters of main content, fewer than %d)' % (path, len(page.text), MIN_TEXT))
            if page.headings == 0:
                problems.append('%s: empty page (no heading in the main content)' % path)
        if path == SEARCH[0] and page.search is not None:
            found = {link[0] for link in (split_link(url, origin) for url in page.search) if link}
            if SEARCH[2] not in found:
                problems.append('%s?q=%s: %s is not among its %d results' % (path, SEARCH[1], SEARCH[2], len(page.search)))

        for url in page.links:
            link = split_link(url, origin)
            if link is None:
                continue
            checked += 1
            targets.add(link)
            target, fragment = link
            if target in pages:
                status = pages[target].status
            else:
                if target not in statuses:
                    statuses[target] = status_of(target)
                status = statuses[target]
            if status != 200:
                why = 'answers HTTP %d' % status
            elif fragment and target in pages and fragment not in pages[target].ids:
                why = 'no element with id %r on %s' % (fragment, target)
            else:
                continue
            sources = broken.setdefault(link, (why, []))[1]
            if path not in sources:
                sources.append(path)

    # One line per broken target (a link in the sidebar is on every page).
    for (target, fragment), (why, sources) in sorted(broken.items()):
        shown = ', '.join(sources[:3]) + (' and %d more' % (len(sources) - 3) if len(sources) > 3 else '')
        problems.append('broken link to %s%s (%s), from %s' % (target, '#' + fragment if fragment else '', why, shown))

    home = pages.get(index)
    if home is None or home.status != 200:
        problems.append('%s: no index page' % index)
    elif home.nav is None:
        problems.append('%s: no navigation (sidebar) found' % index)
    else:
        in_nav = {link[0] for link in (split_link(href, origin) for href, _text in home.nav) if link}
        for guide, target in sorted(guides.items()):
            if target not in in_nav:
                problems.append('%s: guide %s (%s) is missing from the navigation' % (index, guide, target))
    for source, target in sorted(expected.items()):
        if target not in pages:
            problems.append('%s: no page for %s' % (target, source))

    return Result(problems=problems, pages=len(pages), links=checked, targets=len(targets))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the browser drops a connection when it moves on to the next page: not an error
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclasses.dataclass
class Server:
    origin: str
    httpd: _Server
    thread: threading.Thread

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)


def serve(html_dir: str) -> Server:
    """Serve html_dir on 127.0.0.1, on a free port, from a daemon thread."""
    handler = functools.partial(_QuietHandler, directory=html_dir)
    httpd = _Server(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name='docs-check-http', daemon=True)
    thread.start()
    return Server(origin='http://127.0.0.1:%d' % httpd.server_address[1], httpd=httpd, thread=thread)


def http_status(origin: str, path: str) -> int:
    """The status the local server answers for a site path (HEAD; a 404 is a status, not an error)."""
    request = urllib.request.Request(origin + '/' + urllib.parse.quote(path), method='HEAD')
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def browse(origin: str, html_dir: str, shots_dir: str, *, chromium: str = CHROMIUM) -> tuple[dict[str, Page], list[str]]:
    """Visit every page of the site served at origin in Chromium: (what each page showed, screenshots)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright  # pylint: disable=import-outside-toplevel

    pages: dict[str, Page] = {}
    shots = []
    errors: list[str] = []

    def on_response(response) -> None:
        if response.url.startswith(origin + '/') and response.status >= 400 and response.request.resource_type != 'document':
            errors.append('loads %s: HTTP %d' % (response.url[len(origin):], response.status))

    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix='docs-check-chromium-') as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS), viewport=VIEWPORT)
        try:
            # Nothing leaves the machine: a request for anything but the local server is aborted.
            context.route('**/*', lambda route: route.continue_() if route.request.url.startswith(origin + '/') else route.abort())
            tab = context.new_page()
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            tab.on('pageerror', lambda error: errors.append('script error: %s' % error))
            tab.on('response', on_response)

            for path in site_pages(html_dir):
                del errors[:]
                response = tab.goto('%s/%s' % (origin, urllib.parse.quote(path)), wait_until='load')
                status = response.status if response is not None else 0
                facts = tab.evaluate(EXTRACT_JS) if status == 200 else {}
                nav = facts.get('nav')
                pages[path] = Page(
                    path=path, status=status, title=facts.get('title', ''), text=facts.get('text', ''),
                    headings=facts.get('headings', 0), ids=frozenset(facts.get('ids', ())), links=tuple(facts.get('links', ())),
                    nav=None if nav is None else tuple((entry['href'], entry['text']) for entry in nav), errors=tuple(errors),
                )
                for name, shot_page in SCREENSHOTS:
                    if shot_page == path and status == 200:
                        shots.append(os.path.join(shots_dir, name))
                        tab.screenshot(path=shots[-1])

            search_page = pages.get(SEARCH[0])
            if search_page is not None and search_page.status == 200:
                tab.goto('%s/%s?q=%s' % (origin, SEARCH[0], urllib.parse.quote(SEARCH[1])), wait_until='load')
                try:
                    tab.wait_for_function(SEARCH_DONE_JS)
                    hits = tuple(tab.evaluate("() => Array.from(document.querySelectorAll('ul.search li a'), (a) => a.href)"))
                except PlaywrightTimeout:
                    hits = ()
                # the results are links of the page too
                search_page.search = hits
                search_page.links += hits
        finally:
            context.close()
    return pages, shots


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('html', help='the built site (sphinx-build -b html output)')
    parser.add_argument('--screenshots', help='where to write the PNGs (default: the parent of HTML)')
    parser.add_argument('--docs', default=os.path.join(REPO, 'docs'), help='the guides, *.md (default: docs/)')
    parser.add_argument('--chromium', default=CHROMIUM, help='the browser (default: %(default)s)')
    args = parser.parse_args(argv)

    html_dir = os.path.abspath(args.html)
    if not os.path.isfile(os.path.join(html_dir, 'index.html')):
        print('docs check: %s has no index.html (build the site first: make docs)' % html_dir, file=sys.stderr)
        return 2
    if not os.access(args.chromium, os.X_OK):
        print('docs check: no browser at %s (Debian: apt-get install chromium)' % args.chromium, file=sys.stderr)
        return 2
    shots_dir = os.path.abspath(args.screenshots or os.path.dirname(html_dir))
    os.makedirs(shots_dir, exist_ok=True)

    started = time.monotonic()
    server = serve(html_dir)
    try:
        pages, shots = browse(server.origin, html_dir, shots_dir, chromium=args.chromium)
        result = check_site(pages, origin=server.origin, status_of=functools.partial(http_status, server.origin),
                            guides=guide_pages(args.docs), expected=reference_pages())
    finally:
        server.stop()
    for name, page in SCREENSHOTS:
        if os.path.join(shots_dir, name) not in shots:
            result.problems.append('%s: no screenshot taken (no such page, or not HTTP 200)' % page)

    for shot in shots:
        print('docs check: screenshot %s' % os.path.relpath(shot))
    if result.problems:
        print('docs check: FAILED, %d problems:' % len(result.problems), file=sys.stderr)
        for problem in result.problems:
            print('  - %s' % problem, file=sys.stderr)
        return 1
    searched = pages.get(SEARCH[0]) is not None and pages[SEARCH[0]].search is not None
    print('docs check: OK, %d pages visited in Chromium, %d internal links checked (%d distinct targets), %d screenshots%s, %.0f s'
          % (result.pages, result.links, result.targets, len(shots),
             ', search for %r finds its page' % SEARCH[1] if searched else '', time.monotonic() - started))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
