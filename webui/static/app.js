/* Enhancements only: every page works without this file.
 *  - Keyboard shortcuts (listed in _shortcuts.html): "/" focuses the search box, j/k select the
 *    next/previous hit, o or Enter opens it, "?" shows the list; Escape closes popovers, the list,
 *    and leaves the search box. Keys typed into a field, or with Ctrl/Alt/Meta, are never taken.
 *  - Typing in "Find an actor" filters the actor lists in place.
 *  - "Back to search" on an article goes back in history when we came from a search.
 */
(function () {
  "use strict";

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function hitLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("ol.hits > li.hit .hit-title a"));
  }

  function selectedHit() {
    var links = hitLinks();
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].closest("li.hit").classList.contains("is-selected-hit")) {
        return i;
      }
    }
    return -1;
  }

  function selectHit(index) {
    var links = hitLinks();
    if (!links.length) {
      return;
    }
    index = Math.max(0, Math.min(links.length - 1, index));
    links.forEach(function (link, i) {
      var hit = link.closest("li.hit");
      hit.classList.toggle("is-selected-hit", i === index);
      if (i === index) {
        hit.setAttribute("aria-current", "true");
      } else {
        hit.removeAttribute("aria-current");
      }
    });
    links[index].focus();  // screen readers follow focus; Enter then opens the hit
    links[index].closest("li.hit").scrollIntoView({block: "nearest"});
  }

  // A hit reached with Tab becomes the selected one, so j/k go on from there.
  document.addEventListener("focusin", function (event) {
    var hit = event.target.closest && event.target.closest("ol.hits > li.hit");
    if (hit && !hit.classList.contains("is-selected-hit")) {
      var index = hitLinks().indexOf(hit.querySelector(".hit-title a"));
      if (index !== -1 && event.target === hitLinks()[index]) {
        selectHit(index);
      }
    }
  });

  var shortcuts = document.getElementById("shortcuts");
  var focusBeforeShortcuts = null;
  if (shortcuts) {
    shortcuts.addEventListener("close", function () {
      if (focusBeforeShortcuts && focusBeforeShortcuts.focus) {
        focusBeforeShortcuts.focus();
      }
    });
  }

  var keys = {
    "/": function () {
      var box = document.getElementById("q");
      if (box) {
        box.focus();
        box.select();
        return true;
      }
      return false;
    },
    "j": function () {
      var current = selectedHit();
      selectHit(current + 1);
      return hitLinks().length > 0;
    },
    "k": function () {
      var current = selectedHit();
      selectHit(current === -1 ? 0 : current - 1);
      return hitLinks().length > 0;
    },
    "o": function () {
      var current = selectedHit();
      if (current === -1) {
        return false;
      }
      window.location.href = hitLinks()[current].href;
      return true;
    },
    "?": function () {
      if (!shortcuts || shortcuts.open || typeof shortcuts.showModal !== "function") {
        return false;
      }
      focusBeforeShortcuts = document.activeElement;
      shortcuts.showModal();
      return true;
    }
  };

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.help-pop[open]").forEach(function (details) {
        details.open = false;
        details.querySelector("summary").focus();
      });
      if (event.target && event.target.id === "q") {
        event.target.blur();
      }
      return;  // an open <dialog> closes itself on Escape
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target) || (shortcuts && shortcuts.open)) {
      return;
    }
    var action = keys[event.key];
    if (action && action()) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.help-pop[open]").forEach(function (details) {
      if (!details.contains(event.target)) {
        details.open = false;
      }
    });
  });

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function setUpListFilter(input) {
    var container = document.getElementById(input.getAttribute("data-filter-list"));
    if (!container) {
      return;
    }
    var noMatch = container.querySelector(".no-match");
    var wasOpen = new Map();
    input.addEventListener("input", function () {
      var needle = fold(input.value);
      var shown = 0;
      container.querySelectorAll("details.facet-more").forEach(function (details) {
        if (needle) {
          if (!wasOpen.has(details)) {
            wasOpen.set(details, details.open);
          }
          details.open = true;
        } else if (wasOpen.has(details)) {
          details.open = wasOpen.get(details);
          wasOpen.delete(details);
        }
      });
      container.querySelectorAll(".actor-group").forEach(function (group) {
        var inGroup = 0;
        group.querySelectorAll(".facet-value").forEach(function (item) {
          var match = !needle || fold(item.getAttribute("data-name") || "").indexOf(needle) !== -1;
          item.hidden = !match;
          if (match) {
            inGroup += 1;
          }
        });
        group.hidden = inGroup === 0;
        shown += inGroup;
      });
      if (noMatch) {
        noMatch.hidden = !needle || shown > 0;
      }
    });
  }

  document.querySelectorAll("[data-filter-list]").forEach(setUpListFilter);

  var back = document.querySelector("a[data-back]");
  if (back && document.referrer) {
    try {
      var from = new URL(document.referrer);
      if (from.origin === window.location.origin && from.pathname === new URL(back.href).pathname && window.history.length > 1) {
        back.addEventListener("click", function (event) {
          event.preventDefault();
          window.history.back();
        });
      }
    } catch (error) {
      /* a referrer we cannot parse: keep the plain link */
    }
  }
})();
