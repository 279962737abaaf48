// EPUBCheck for many EPUBs in one Java process (tests/validators.py, EpubCheckBatch): its
// start-up (about 2 s, more on a busy machine) is paid once, not once per generated book.
// Reads lines "<epub>\t<report.json>" on stdin; runs EPUBCheck's own command line on each
// (its JSON report, as `java -jar epubcheck.jar <epub> --json <report>` writes it) and
// answers "done <exit code>".
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

public class EpubCheckLoop {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    // EPUBCheck prints its verdict ("Check finished with errors") whatever it is told: the
    // answers go on the real standard output, everything it prints nowhere.
    PrintStream answers = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    System.setErr(new PrintStream(OutputStream.nullOutputStream()));
    String line;
    while ((line = in.readLine()) != null) {
      String[] paths = line.split("\t");
      int code = new EpubChecker().run(new String[] {paths[0], "--json", paths[1], "--quiet"});
      answers.println("done " + code);
      answers.flush();
    }
  }
}
