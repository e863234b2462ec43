// The share page's "Copy link" button: shown only when the browser can copy.
// Without JavaScript the link stays a read-only field the reader can select.
(function () {
  var field = document.getElementById("share-link");
  var button = document.getElementById("copy-share-link");
  var status = document.getElementById("copy-status");
  if (!field || !button || !navigator.clipboard) { return; }
  button.hidden = false;
  field.addEventListener("focus", function () { field.select(); });
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      status.textContent = button.dataset.done || "Link copied.";
    }, function () {
      field.select();
      status.textContent = button.dataset.failed || "Select the link and copy it.";
    });
  });
})();
