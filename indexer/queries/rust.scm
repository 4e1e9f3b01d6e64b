; docgen symbol query for Rust (capture names: see python.scm). Docs are /// and /** */;
; attributes such as #[derive(...)] may sit between the docs and the item.

((line_comment (outer_doc_comment_marker)) @doc.comment)
((block_comment (outer_doc_comment_marker)) @doc.comment)
(attribute_item) @doc.skip
(source_file (line_comment (inner_doc_comment_marker)) @doc.module)

(struct_item
  name: (type_identifier) @name.definition.class) @definition.class
(enum_item
  name: (type_identifier) @name.definition.class) @definition.class
(union_item
  name: (type_identifier) @name.definition.class) @definition.class
(struct_item body: (_) @body) @definition.class
(enum_item body: (_) @body) @definition.class
(union_item body: (_) @body) @definition.class
(trait_item
  name: (type_identifier) @name.definition.class
  body: (_) @body) @definition.class

(impl_item
  type: (_) @name.definition.scope
  body: (declaration_list) @body) @definition.scope

(function_item
  name: (identifier) @name.definition.function
  parameters: (parameters) @parameters
  body: (block) @body) @definition.function
(function_item return_type: (_) @returns) @definition.function
(function_signature_item
  name: (identifier) @name.definition.function
  parameters: (parameters) @parameters) @definition.function
(function_signature_item return_type: (_) @returns) @definition.function

(call_expression function: (_) @name.reference.call)
(macro_invocation macro: (identifier) @name.reference.call)
((macro_invocation macro: (identifier) @name.reference.raise)
  (#any-of? @name.reference.raise "panic" "unreachable" "todo" "unimplemented"))
(return_expression (_) @reference.return)
