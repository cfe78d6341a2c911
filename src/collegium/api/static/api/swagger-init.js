/* Starts Swagger UI for /api/docs. Its settings come from a data attribute, so the page
 * needs no inline script under the Content-Security-Policy. Requests made from the page
 * with the browser session carry the CSRF token; requests with a Bearer token need none. */
(function () {
  "use strict";
  var element = document.getElementById("swagger-ui");
  var config = JSON.parse(element.dataset.settings);
  var csrfToken = element.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  config.requestInterceptor = function (request) {
    if (csrfToken) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };
  SwaggerUIBundle(config);
})();
