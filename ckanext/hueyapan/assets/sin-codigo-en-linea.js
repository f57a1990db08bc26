/* What CKAN's and ckanext-scheming's templates did with inline code (onclick=, javascript:
 * links), done from this file, so that every page satisfies the catalog's Content-Security-Policy
 * (script-src 'self': the browser runs no inline code). Loaded on every page.
 *
 * - Buttons of the resource form (templates/package/snippets/resource_upload_field.html):
 *   data-hy-marcar="<id>" checks that radio or checkbox, data-hy-vaciar="<id>" empties that
 *   field, data-hy-pulsar="<id>" clicks that element, data-hy-enfocar="<id>" focuses it.
 * - The list fields of the forms (templates/scheming/form_snippets/multiple_text.html): "Add"
 *   (a[name=multiple-add]) copies the last entry, empty; "Remove" never leaves the page.
 * - A user's API tokens (templates/user/snippets/api_token_*.html): ticking a token enables
 *   "Revoke tokens" (#revoke-tokens-button), disabled again once the revoking form
 *   (form[data-hy-revocar]) is answered; a new token's row (form[data-hy-creado]) is scrolled
 *   into view. CKAN did this with onchange= and htmx's hx-on, which is compiled from text.
 * - Links that only stand for a button (href="javascript:;" or "javascript:void(0)", which CKAN's
 *   image-upload module and resource page still write) get href="#": following them would break
 *   the policy. Their own click handlers keep working; the default action is prevented. Such a
 *   link with no text inside an element with data-hy-nombre-vacio="<name>" gets that name
 *   (the drag handles of CKAN's resource-reorder module: templates/package/resources.html).
 */
(function () {
  'use strict';

  var NO_OP = /^\s*javascript:\s*(;|void\(0\);?)?\s*$/i;

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function resourceButton(button) {
    var check = byId(button.getAttribute('data-hy-marcar'));
    var empty = byId(button.getAttribute('data-hy-vaciar'));
    var press = byId(button.getAttribute('data-hy-pulsar'));
    var focus = byId(button.getAttribute('data-hy-enfocar'));
    if (check) { check.checked = true; }
    if (empty) { empty.value = ''; }
    if (press) { press.click(); }
    if (focus) { focus.focus(); }
  }

  function addListEntry(link) {
    var list = link.closest('fieldset').querySelector('ol');
    var entries = list.querySelectorAll('li');
    var copy = entries[entries.length - 1].cloneNode(true);
    var input = copy.querySelector('input');
    input.value = '';
    copy.style.display = '';
    var error = copy.querySelector('.error-block');
    if (error) { error.remove(); }
    list.appendChild(copy);
    input.focus();
  }

  function quietLinks(root) {
    var links = root.querySelectorAll ? root.querySelectorAll('a[href^="javascript:" i]') : [];
    Array.prototype.forEach.call(links, function (link) {
      if (NO_OP.test(link.getAttribute('href'))) {
        link.setAttribute('href', '#');
        link.setAttribute('role', 'button');
        var named = link.closest('[data-hy-nombre-vacio]');
        if (named && !link.textContent.trim() && !link.hasAttribute('aria-label')) {
          link.setAttribute('aria-label', named.getAttribute('data-hy-nombre-vacio'));
        }
      }
    });
  }

  document.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target : event.target.parentElement;
    if (!target) { return; }
    var button = target.closest('[data-hy-marcar], [data-hy-pulsar], [data-hy-enfocar]');
    if (button) { resourceButton(button); }
    var link = target.closest('a[href]');
    if (!link) { return; }
    if (link.getAttribute('name') === 'multiple-add') {
      event.preventDefault();
      addListEntry(link);
    } else if (link.getAttribute('name') === 'multiple-remove'
               || link.getAttribute('role') === 'button' || NO_OP.test(link.getAttribute('href'))) {
      event.preventDefault();
    }
  });

  function revokeButton(disabled) {
    var button = byId('revoke-tokens-button');
    if (button) {
      button.disabled = disabled === undefined
        ? !document.querySelector('#api-tokens-table input[name=token]:checked') : disabled;
    }
  }

  document.addEventListener('change', function (event) {
    if (event.target.matches('#api-tokens-table input[name=token]')) { revokeButton(); }
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    if (event.target.matches && event.target.matches('form[data-hy-revocar]')) {
      revokeButton(true);
    }
  });
  document.addEventListener('htmx:afterSettle', function (event) {
    var form = event.target.matches && event.target.matches('form[data-hy-creado]')
      ? event.target : document.querySelector('form[data-hy-creado]');
    var row = form ? byId(form.getAttribute('data-hy-creado')) : null;
    if (row) { row.scrollIntoView(false); }
  });

  function start() {
    quietLinks(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        Array.prototype.forEach.call(change.addedNodes, function (node) {
          if (node.nodeType !== 1) { return; }
          if (node.matches('a[href]')) { quietLinks(node.parentNode); } else { quietLinks(node); }
        });
      });
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
