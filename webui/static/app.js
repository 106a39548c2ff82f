/* Enhancements only: every page works without this file.
 *  - "/" focuses the search box; Escape closes the query-syntax popover.
 *  - Typing in "Find an actor" filters the actor lists in place.
 *  - "Back to search" on an article goes back in history when we came from a search.
 */
(function () {
  "use strict";

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.help-pop[open]").forEach(function (details) {
        details.open = false;
        details.querySelector("summary").focus();
      });
      return;
    }
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    var box = document.getElementById("q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
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
