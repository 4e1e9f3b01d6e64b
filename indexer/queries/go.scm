; docgen symbol query for Go (capture names: see python.scm).
; Doc comments are the // lines directly above a declaration.

(comment) @doc.comment
(package_clause) @module.anchor

(type_declaration
  (type_spec
    name: (type_identifier) @name.definition.class
    type: (_) @body) @definition.class) @outer

(function_declaration
  name: (identifier) @name.definition.function
  parameters: (parameter_list) @parameters
  body: (block) @body) @definition.function
(function_declaration result: (_) @returns) @definition.function

(method_declaration
  name: (field_identifier) @name.definition.method
  parameters: (parameter_list) @parameters
  body: (block) @body) @definition.method
(method_declaration result: (_) @returns) @definition.method
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [
        (type_identifier) @receiver
        (pointer_type (type_identifier) @receiver)
        (generic_type type: (type_identifier) @receiver)
        (pointer_type (generic_type type: (type_identifier) @receiver))
      ]))) @definition.method

(call_expression function: (_) @name.reference.call)
((call_expression function: (identifier) @name.reference.raise)
  (#eq? @name.reference.raise "panic"))
(return_statement (expression_list) @reference.return)
