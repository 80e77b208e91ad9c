// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Filter the long list of wards and communes as the respondent types. Filtering only
  // hides options and never sets select.value: the choice stays the person's (picking the
  // first match for them once re-filed a prefilled firm under another unit, and the
  // dashboard showed a 110% response rate). The chosen option stays shown, so the list
  // never hides what it says is chosen. Diacritics and case are ignored ("le chan" finds
  // "Lê Chân"; đ is d), and a ward is found by its former district too (the group label),
  // since many firms still know their address by the district.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLocaleLowerCase("vi");
  }
  function matches(option, needle) {
    var group = option.parentElement && option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "";
    return fold(option.textContent).indexOf(needle) !== -1 || fold(group).indexOf(needle) !== -1;
  }
  document.querySelectorAll("input[data-filter-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) return;
    box.hidden = false;
    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      select.querySelectorAll("option").forEach(function (option) {
        option.hidden = !!needle && !option.selected && !matches(option, needle);
      });
      // A district with no ward left to show would be an empty heading.
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    });
  });

  // Copy the resume link.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      if (navigator.clipboard) navigator.clipboard.writeText(field.value);
      else document.execCommand("copy");
      button.textContent = button.getAttribute("data-done") || "✓";
    });
  });

  // An export page: ask for the job's state every two seconds and reload when it is
  // finished (a refreshing <meta> would move keyboard and screen-reader users about).
  document.querySelectorAll("[data-poll]").forEach(function (element) {
    var url = element.getAttribute("data-poll");
    var timer = setInterval(function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          if (job.state === "done" || job.state === "failed") {
            clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { clearInterval(timer); });
    }, 2000);
  });

  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
