// goAML schema validation with libxml2: the XSD is parsed once, each document is parsed without
// network access or entity expansion and validated with its own context, and every error is
// collected with its line (libxml2 otherwise prints them to stderr).
#include <climits>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <system_error>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "core/core.h"
#include "finance/goaml.h"

namespace ctis::finance::goaml {
namespace {

#if LIBXML_VERSION >= 21200
using ErrorPointer = const xmlError*;
#else
using ErrorPointer = xmlErrorPtr;
#endif

void collect_error(void* sink, ErrorPointer error) {
  auto& errors = *static_cast<std::vector<SchemaError>*>(sink);
  SchemaError e;
  e.line = error->line;
  e.message = error->message != nullptr ? error->message : "unknown error";
  while (!e.message.empty() && (e.message.back() == '\n' || e.message.back() == ' ')) {
    e.message.pop_back();
  }
  errors.push_back(std::move(e));
}

void init_libxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// Routes this thread's generic libxml2 errors (document parsing) into a sink, and back after.
class ThreadErrorSink {
 public:
  explicit ThreadErrorSink(std::vector<SchemaError>* sink)
      : previous_(xmlStructuredError), previous_context_(xmlStructuredErrorContext) {
    xmlSetStructuredErrorFunc(sink, collect_error);
  }
  ~ThreadErrorSink() { xmlSetStructuredErrorFunc(previous_context_, previous_); }
  ThreadErrorSink(const ThreadErrorSink&) = delete;
  ThreadErrorSink& operator=(const ThreadErrorSink&) = delete;

 private:
  xmlStructuredErrorFunc previous_;
  void* previous_context_;
};

}  // namespace

struct GoamlSchema::Impl {
  xmlSchemaPtr schema = nullptr;
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (schema != nullptr) xmlSchemaFree(schema);
  }
};

std::string SchemaError::text() const {
  return line > 0 ? "line " + std::to_string(line) + ": " + message : message;
}

GoamlSchema GoamlSchema::load(const std::filesystem::path& xsd) {
  init_libxml();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(xsd, ec)) {
    fail_unavailable("goaml_xsd", "goAML schema " + xsd.string() + " cannot be read");
  }
  std::vector<SchemaError> errors;
  auto impl = std::make_shared<Impl>();
  {
    ThreadErrorSink sink(&errors);
    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd.string().c_str());
    if (parser == nullptr) {
      fail_unavailable("goaml_xsd", "goAML schema " + xsd.string() + " cannot be opened");
    }
    xmlSchemaSetParserStructuredErrors(parser, collect_error, &errors);
    impl->schema = xmlSchemaParse(parser);
    xmlSchemaFreeParserCtxt(parser);
  }
  if (impl->schema == nullptr) {
    fail_unavailable("goaml_xsd", "goAML schema " + xsd.string() + " is not a valid XSD: " +
                                      (errors.empty() ? "unknown error" : errors.front().text()));
  }
  GoamlSchema s;
  s.impl_ = std::move(impl);
  return s;
}

std::vector<SchemaError> GoamlSchema::validate(std::string_view xml) const {
  std::vector<SchemaError> errors;
  if (xml.size() > static_cast<std::size_t>(INT_MAX)) {
    errors.push_back({0, "document too large to validate"});
    return errors;
  }
  xmlDocPtr doc = nullptr;
  {
    ThreadErrorSink sink(&errors);
    // No network, no entity substitution, no DTD loading: a report is data, not a fetcher.
    doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "report.xml", "UTF-8",
                        XML_PARSE_NONET);
  }
  if (doc == nullptr) {
    if (errors.empty()) errors.push_back({0, "document is not well-formed XML"});
    return errors;
  }
  xmlSchemaValidCtxtPtr context = xmlSchemaNewValidCtxt(impl_->schema);
  if (context == nullptr) {
    xmlFreeDoc(doc);
    throw Error(ErrorKind::internal, "goaml_validate", "cannot create a validation context");
  }
  xmlSchemaSetValidStructuredErrors(context, collect_error, &errors);
  const int rc = xmlSchemaValidateDoc(context, doc);
  xmlSchemaFreeValidCtxt(context);
  xmlFreeDoc(doc);
  if (rc != 0 && errors.empty()) {
    errors.push_back({0, "schema validation failed (libxml2 code " + std::to_string(rc) + ")"});
  }
  return errors;
}

std::vector<SchemaError> validate_goaml(std::string_view xml, const std::filesystem::path& xsd) {
  return GoamlSchema::load(xsd).validate(xml);
}

std::string write_goaml(const Report& report, const GoamlSchema& schema) {
  std::string xml = render_goaml(report);
  const std::vector<SchemaError> errors = schema.validate(xml);
  if (!errors.empty()) {
    std::string message = "goAML report does not validate against the schema (" +
                          std::to_string(errors.size()) + " errors):";
    for (const SchemaError& e : errors) message += "\n  " + e.text();
    throw Error(ErrorKind::invalid, "goaml_schema", message, "report");
  }
  return xml;
}

void write_goaml_file(const Report& report, const GoamlSchema& schema,
                      const std::filesystem::path& out) {
  const std::string xml = write_goaml(report, schema);  // throws before any file is touched
  std::filesystem::path temp = out;
  temp += ".partial";
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file.write(xml.data(), static_cast<std::streamsize>(xml.size()));
    file.flush();
    if (!file) {
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      fail_unavailable("goaml_write", "cannot write " + temp.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, out, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    fail_unavailable("goaml_write", "cannot rename " + temp.string() + " to " + out.string());
  }
}

}  // namespace ctis::finance::goaml
