// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Filter the long list of wards and communes as the respondent types.
  document.querySelectorAll("input[data-filter-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) return;
    box.hidden = false;
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLocaleLowerCase("vi");
      var firstMatch = null;
      select.querySelectorAll("option").forEach(function (option) {
        var hit = !needle || option.textContent.toLocaleLowerCase("vi").indexOf(needle) !== -1;
        option.hidden = !hit;
        if (hit && !firstMatch && option.value) firstMatch = option;
      });
      if (needle && firstMatch) select.value = firstMatch.value;
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
