// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Filter the long list of wards and communes as the respondent types. Filtering only
  // hides options: the choice stays the person's (picking the first match for them once
  // re-filed a prefilled firm under another unit). Diacritics are ignored, so "le chan"
  // finds "Lê Chân".
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLocaleLowerCase("vi");
  }
  document.querySelectorAll("input[data-filter-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) return;
    box.hidden = false;
    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      select.querySelectorAll("option").forEach(function (option) {
        // The chosen option stays visible, so the list never shows a choice it hides.
        option.hidden = !!needle && !option.selected && fold(option.textContent).indexOf(needle) === -1;
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
