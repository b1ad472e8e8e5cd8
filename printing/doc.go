// Package printing puts a filed PDF on paper the way each system allows.
//
// On Linux and the BSDs a PDF goes to the default printer through CUPS'
// lp (the queue converts PDFs itself). On Windows and macOS, and on Linux
// when lp is not installed, the PDF opens in the system's viewer, whose
// Print command shows the print dialog: the person prints from there
// instead of getting an error. When the program needed is missing, the
// error (a *MissingToolError, matching ErrMissingTool) names it and says
// how to install it, so the window can say so and offer to save the PDF
// instead.
//
// The package only starts programs; it never reads or changes the PDF.
package printing
