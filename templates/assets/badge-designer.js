// The badge designer's live preview: when a choice changes, ask the server for
// the drawing (the same one that is saved) and show it with its alternative
// text. Without JavaScript the "Preview" button does the same by reloading.
(function () {
  var form = document.getElementById("designer");
  var big = document.getElementById("design-preview");
  var small = document.getElementById("design-small");
  var alt = document.getElementById("design-alt");
  if (!form || !big || !window.fetch || !window.DOMParser) { return; }
  var asked = 0;
  function update() {
    var params = new URLSearchParams();
    ["shape", "colour", "icon", "words"].forEach(function (name) {
      var field = form.elements[name];
      var value = field ? (field.value || "") : "";
      if (value) { params.set(name, value); }
    });
    var url = form.dataset.preview + "?" + params.toString();
    var mine = ++asked;
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("preview refused"); }
      return response.text();
    }).then(function (svg) {
      if (mine !== asked) { return; }
      var title = new DOMParser().parseFromString(svg, "image/svg+xml").querySelector("title");
      var text = title ? title.textContent : "";
      big.src = url;
      small.src = url;
      big.alt = text;
      small.alt = (form.dataset.smallAlt || "") + text;
      alt.textContent = text;
    }).catch(function () {
      alt.textContent = form.dataset.failed || "";
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", function (event) {
    if (event.target && event.target.name === "words") { update(); }
  });
})();
