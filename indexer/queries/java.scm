; docgen symbol query for Java (capture names: see python.scm). Javadoc is /** ... */.

((block_comment) @doc.comment
  (#match? @doc.comment "^/\\*\\*"))

(class_declaration
  name: (identifier) @name.definition.class
  body: (_) @body) @definition.class
(interface_declaration
  name: (identifier) @name.definition.class
  body: (_) @body) @definition.class
(enum_declaration
  name: (identifier) @name.definition.class
  body: (_) @body) @definition.class
(record_declaration
  name: (identifier) @name.definition.class
  body: (_) @body) @definition.class
(annotation_type_declaration
  name: (identifier) @name.definition.class
  body: (_) @body) @definition.class

(method_declaration
  name: (identifier) @name.definition.function
  parameters: (formal_parameters) @parameters) @definition.function
(method_declaration body: (block) @body) @definition.function
(method_declaration type: (_) @returns) @definition.function
(constructor_declaration
  name: (identifier) @name.definition.function
  parameters: (formal_parameters) @parameters
  body: (constructor_body) @body) @definition.function

(method_invocation name: (identifier) @name.reference.call)
(object_creation_expression type: (_) @name.reference.call)
(throw_statement (object_creation_expression type: (_) @name.reference.raise))
(return_statement (_) @reference.return)
