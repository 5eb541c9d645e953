import Mustache

/// A set of server-rendered pages (Mustache: every `{{value}}` is HTML-escaped), registered once: the support
/// console's, Chat 2 Pay's payment page.
public struct PageTemplates: Sendable {
    private let library: MustacheLibrary

    /// `templates` by name. They are part of the program: one that does not parse is a bug the first test finds.
    public init(_ templates: [String: String]) {
        var library = MustacheLibrary()
        for (name, text) in templates {
            try! library.register(text, named: name)
        }
        self.library = library
    }

    public func render(_ page: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: page) ?? ""
    }
}
